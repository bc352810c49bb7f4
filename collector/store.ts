/**
 * The collector's storage: raw reports (partitioned by day), exactly-once by report
 * id, and each group's running totals, all in one PostgreSQL schema that runs on
 * PGlite (embedded, the default) and on PostgreSQL servers (`pg`).
 *
 * Storing a report is one transaction: claim the id in `report_ids` (INSERT … ON
 * CONFLICT DO NOTHING, so of any number of concurrent copies in any number of
 * processes exactly one proceeds), insert the raw row, and add the report to one
 * slot of its group's totals (one upsert). Reading the aggregates reads only totals:
 * O(groups × days × slots × dims), whatever the number of reports.
 */
import { createHash, randomInt } from 'node:crypto';
import type { Report } from '../src/report/schema';
import type { GroupTotals } from './group-estimates';
import { BatchWriter } from './batch-writer';
import { bucketAggregates, type BucketPage, type BucketQuery } from './buckets';
import { rangeTotals } from './range-totals';
import { reportPage, type ReportPage, type ReportPageQuery } from './report-pages';
import type { Database } from './db/database';
import { migrate } from './db/migrations';
import { dayOf, dropDaysBefore, ensurePartition, nextDay } from './db/partitions';
import { openPglite } from './db/pglite';
import { openPostgres } from './db/postgres';
import { repairTotals } from './db/repair';
import { groupOfRow, type Group } from './groups';
import { lockDataDir } from './lock';

export type InsertOutcome = 'stored' | 'duplicate' | 'conflict';

/** Slots per group and day: writers of one group spread over this many rows. */
export const TOTAL_SLOTS = 8;

export interface StoreOptions {
  /** postgres://… : a PostgreSQL server. Without it, PGlite. */
  readonly databaseUrl?: string;
  /** PGlite's folder (kept across restarts; one collector per folder). Without it and a URL, in memory. */
  readonly dataDir?: string;
  /**
   * PGlite only: a new database starts as a copy of this data directory (a tarball from PGlite's
   * `dumpDataDir`) instead of an empty one; migrations then run on it as on any database.
   */
  readonly pgliteTemplate?: Blob;
  /** Connections per process to a PostgreSQL server. */
  readonly poolSize?: number;
  /** The time of receipt (its UTC day picks the partition). */
  readonly clock?: () => Date;
}

/** One group's running totals as the database returns them. */
export interface TotalsRow {
  group_id: string;
  scope: string;
  kind: 'vector' | 'category';
  size: number;
  key: Group['key'];
  mechanism: Group['mechanism'];
  n: number;
  sums: number[];
  squares: number[] | null;
}

export class ReportStore {
  private readonly knownGroups = new Set<string>();
  private readonly knownDays = new Set<string>();
  private readonly batches: BatchWriter;

  private constructor(
    private readonly db: Database,
    private readonly unlock: () => void,
    private readonly clock: () => Date,
  ) {
    this.batches = new BatchWriter(db, () => randomInt(TOTAL_SLOTS));
  }

  /** The database, for the parts of the collector that keep tables of their own (collector/train-store.ts). */
  get database(): Database {
    return this.db;
  }

  /** The time of receipt this store records: the injected clock, or the system's. */
  now(): Date {
    return this.clock();
  }

  static async open(options: StoreOptions = {}): Promise<ReportStore> {
    const unlock = options.dataDir && !options.databaseUrl ? lockDataDir(options.dataDir) : () => {};
    try {
      const db = options.databaseUrl
        ? await openPostgres(options.databaseUrl, options.poolSize)
        : await openPglite({
            ...(options.dataDir ? { dataDir: options.dataDir } : {}),
            ...(options.pgliteTemplate ? { template: options.pgliteTemplate } : {}),
          });
      try {
        await migrate(db);
      } catch (err) {
        await db.close();
        throw err;
      }
      const clock = options.clock ?? (() => new Date());
      const store = new ReportStore(db, unlock, clock);
      const today = dayOf(clock());
      await store.ensureDay(today);
      await store.ensureDay(nextDay(today));
      return store;
    } catch (err) {
      unlock();
      throw err;
    }
  }

  get engine(): Database['engine'] {
    return this.db.engine;
  }

  /** One page of per-bucket aggregates (GET /aggregates/buckets). */
  buckets(query: BucketQuery): Promise<BucketPage> {
    return bucketAggregates(this.db, query);
  }

  /** One page of raw reports (GET /reports). */
  reportPage(query: ReportPageQuery): Promise<ReportPage> {
    return reportPage(this.db, query);
  }

  /** Each group's totals over reports received in [since, until). */
  rangeTotals(scope: string, since: Date, until: Date): Promise<GroupTotals[]> {
    return rangeTotals(this.db, scope, since, until);
  }

  private async ensureDay(day: string): Promise<void> {
    if (this.knownDays.has(day)) return;
    await ensurePartition(this.db, day);
    this.knownDays.add(day);
  }

  /**
   * Creates the group once. There is no cap on groups a scope: the handler stores only reports
   * their scope's declared task allows (tasks-route.ts), and a task pins every field of the group
   * key but ε, which it allows at most TASK_EPSILONS_MAX values of. So a scope has at most that
   * many groups of reports received since tasks were declared, whatever senders try.
   */
  private async ensureGroup(group: Group): Promise<void> {
    if (this.knownGroups.has(group.id)) return;
    await this.db.query(
      `insert into report_groups (id, scope, kind, size, key, mechanism) values ($1, $2, $3, $4, $5, $6)
       on conflict (id) do nothing`,
      [group.id, group.scope, group.kind, group.size, JSON.stringify(group.key), JSON.stringify(group.mechanism)],
    );
    this.knownGroups.add(group.id);
  }

  /**
   * Stores a verified report of `group` unless its id is known: 'duplicate' for the same body, 'conflict'
   * if not. Vector reports go through the batch writer (one transaction per batch); categories one by one.
   */
  async insert(report: Report, group: Group): Promise<InsertOutcome> {
    const body = JSON.stringify(report);
    const hash = createHash('sha256').update(body).digest('hex');
    const now = this.clock();
    const day = dayOf(now);
    await this.ensureGroup(group);
    await this.ensureDay(day);
    if ('vector' in report)
      return this.batches.add({
        id: report.id,
        hash,
        day,
        receivedAt: now,
        scope: report.scope,
        groupId: group.id,
        body,
        vector: vectorLiteral(body),
      });
    // Category reports, one statement each (k-RR counts one element; OUE adds its bits).
    const category = report.category;
    const bits = 'bits' in category ? category.bits : null;
    const rows = await this.db.query<{ outcome: InsertOutcome }>(
      `select obscura_store_report($1, $2, $3, $4, $5, $6, $7, $8, $9::float8[], $10, $11, $12) as outcome`,
      [
        report.id,
        hash,
        day,
        now.toISOString(),
        report.scope,
        group.id,
        body,
        randomInt(TOTAL_SLOTS),
        bits && `{${bits.join(',')}}`,
        false,
        category.k,
        'value' in category ? category.value : null,
      ],
      'obscura_store_report',
    );
    return rows.rows[0]!.outcome;
  }

  /** Resolves when the database answers a query; rejects as the query would otherwise. */
  async ping(): Promise<void> {
    await this.db.query('select 1');
  }

  /** Stored reports (from the totals: no scan of raw rows), of one scope or of all. */
  async count(scope?: string): Promise<number> {
    const rows = await this.db.query<{ n: number | null }>(
      `select sum(t.n)::int8 as n from group_totals t join report_groups g on g.id = t.group_id
       where $1::text is null or g.scope = $1`,
      [scope ?? null],
    );
    return rows.rows[0]?.n ?? 0;
  }

  /** Raw report rows (a scan), of one scope or of all. */
  async countRaw(scope?: string): Promise<number> {
    const rows = await this.db.query<{ n: number }>(
      'select count(*)::int8 as n from reports where $1::text is null or scope = $1',
      [scope ?? null],
    );
    return rows.rows[0]!.n;
  }

  /** Ids in the order they were received, of one scope or of all. */
  async ids(scope?: string): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      'select id from reports where $1::text is null or scope = $1 order by received_at, seq',
      [scope ?? null],
    );
    return rows.rows.map((r) => r.id);
  }

  /** The newest `limit` reports, newest first. */
  async list(scope: string | undefined, limit: number): Promise<Report[]> {
    const rows = await this.db.query<{ body: Report }>(
      `select body from reports where $1::text is null or scope = $1 order by received_at desc, seq desc limit $2`,
      [scope ?? null, limit],
    );
    return rows.rows.map((r) => r.body);
  }

  /** Reports received at or after `since`, oldest first, in pages of `page` (keyset: no offset scans). */
  async *since(since: Date, scope?: string, page = 1000): AsyncGenerator<Report[]> {
    let after: { at: string; seq: string } | null = null;
    for (;;) {
      const rows: { body: Report; at: string; seq: string }[] = (
        await this.db.query<{ body: Report; at: string; seq: string }>(
          `select body, received_at::text as at, seq::text as seq from reports
           where received_at >= $1 and ($2::text is null or scope = $2)
             and ($3::timestamptz is null or (received_at, seq) > ($3::timestamptz, $4::int8))
           order by received_at, seq limit $5`,
          [since.toISOString(), scope ?? null, after?.at ?? null, after?.seq ?? null, page],
        )
      ).rows;
      if (rows.length === 0) return;
      yield rows.map((r) => r.body);
      const last = rows[rows.length - 1]!;
      after = { at: last.at, seq: last.seq };
      if (rows.length < page) return;
    }
  }

  /** Each group's totals summed over days and slots, of one scope or of all. */
  async totals(scope?: string): Promise<GroupTotals[]> {
    const rows = await this.db.query<TotalsRow>(
      `select t.group_id, g.scope, g.kind, g.size, g.key, g.mechanism, t.n, t.sums, t.squares
       from group_totals t join report_groups g on g.id = t.group_id
       where $1::text is null or g.scope = $1
       order by g.created_at, g.id`,
      [scope ?? null],
    );
    const byGroup = new Map<string, { group: Group; count: number; sums: number[]; squares: number[] | null }>();
    for (const r of rows.rows) {
      let t = byGroup.get(r.group_id);
      if (!t) {
        const zeros = () => new Array<number>(r.size).fill(0);
        t = { group: groupOfRow(r), count: 0, sums: zeros(), squares: r.kind === 'vector' ? zeros() : null };
        byGroup.set(r.group_id, t);
      }
      t.count += r.n;
      addInto(t.sums, r.sums);
      if (t.squares && r.squares) addInto(t.squares, r.squares);
    }
    return [...byGroup.values()];
  }

  /** Re-derives every group's totals from the raw reports (see collector/db/repair.ts). */
  repair(): Promise<{ groups: number; reports: number }> {
    return repairTotals(this.db);
  }

  /** Drops the reports, totals and ids of the days before `day` (YYYY-MM-DD); returns the dropped days. */
  async dropBefore(day: string): Promise<string[]> {
    const dropped = await dropDaysBefore(this.db, day);
    for (const d of dropped) this.knownDays.delete(d);
    return dropped;
  }

  async close(): Promise<void> {
    try {
      await this.db.close();
    } finally {
      this.unlock();
    }
  }
}

/**
 * The float8 array literal of a vector report's values, cut from its JSON text: JSON.stringify
 * already wrote each value as JavaScript's shortest round-trip decimal (exact), and a vector holds
 * only numbers, so the first ']' after "vector":[ closes it. Formatting 96 doubles a second time
 * was a tenth of the collector's CPU per report.
 */
export function vectorLiteral(body: string): string {
  const start = body.indexOf('"vector":[') + '"vector":['.length;
  return `{${body.slice(start, body.indexOf(']', start))}}`;
}

function addInto(target: number[], values: readonly number[]): void {
  for (let j = 0; j < target.length; j++) target[j]! += values[j] ?? 0;
}
