/**
 * Groups the vector reports that arrive in the same turn of the event loop into one
 * `obscura_store_batch` call: one round trip and one transaction for the batch, and
 * each group's totals updated once per batch instead of once per report. Every report
 * still gets its own outcome; a failed call fails (and the client retries) only its batch.
 */
import type { Database } from './db/database';
import type { InsertOutcome } from './store';

export interface BatchItem {
  readonly id: string;
  readonly hash: string;
  readonly day: string;
  readonly receivedAt: Date;
  readonly scope: string;
  readonly groupId: string;
  readonly body: string;
  /** The vector as a float8 array literal. */
  readonly vector: string;
}

interface Pending extends BatchItem {
  resolve(outcome: InsertOutcome): void;
  reject(err: unknown): void;
}

export class BatchWriter {
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly db: Database,
    private readonly slots: () => number,
    private readonly maxBatch = 64,
  ) {}

  add(item: BatchItem): Promise<InsertOutcome> {
    return new Promise((resolve, reject) => {
      this.pending.push({ ...item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const all = this.pending;
    this.pending = [];
    const byDay = new Map<string, Pending[]>();
    for (const p of all) byDay.set(p.day, [...(byDay.get(p.day) ?? []), p]);
    for (const items of byDay.values())
      for (let i = 0; i < items.length; i += this.maxBatch) void this.write(items.slice(i, i + this.maxBatch));
  }

  private async write(batch: Pending[]): Promise<void> {
    try {
      const rows = await this.db.query<{ outcomes: InsertOutcome[] }>(
        'select obscura_store_batch($1, $2, $3, $4, $5, $6, $7::jsonb[], $8, $9) as outcomes',
        [
          batch.map((b) => b.id),
          batch.map((b) => b.hash),
          batch[0]!.day,
          batch[0]!.receivedAt.toISOString(),
          batch.map((b) => b.scope),
          batch.map((b) => b.groupId),
          batch.map((b) => b.body),
          batch.map((b) => b.vector),
          this.slots(),
        ],
        'obscura_store_batch',
      );
      const outcomes = rows.rows[0]!.outcomes;
      batch.forEach((b, i) => b.resolve(outcomes[i]!));
    } catch (err) {
      for (const b of batch) b.reject(err);
    }
  }
}
