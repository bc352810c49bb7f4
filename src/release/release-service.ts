/**
 * The worker's release path: clean vector in, charged and queued report out.
 * Noise is drawn before the ledger transaction opens (an IndexedDB transaction
 * commits at the first await on anything else); if the charge is refused, the
 * drawn report is dropped here and never leaves the worker.
 */
import { commitRelease, type CommitOutcome } from '../ledger/commit-release';
import { configureScope as saveScope, listLedger, readBudget } from '../ledger/ledger-queries';
import { openLedgerDb, type LedgerDb, type LedgerEntry } from '../ledger/ledger-schema';
import type { BudgetStatus, ScopeConfig } from '../ledger/budget-policy';
import { flushOutbox, type FlushResult } from '../outbox/reporter';
import { costOf } from '../privacy/accountant';
import type { VectorMechanismParams } from '../privacy/mechanism';
import { cryptoRandomSource } from '../privacy/random/random-source';
import type { ModelRef } from '../engine/model/model-config';
import { privatizeFeatures } from '../report/privatize-features';

export interface ReleaseOptions {
  readonly mechanism: VectorMechanismParams;
  /** Public projection to this many dimensions first. */
  readonly dims?: number;
  readonly scope?: string;
  /** Where the reporter POSTs it (the collector's /reports URL). */
  readonly destination: string;
}

export type ReleaseOutcome = CommitOutcome;

export class ReleaseService {
  private db: Promise<LedgerDb> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private flushing: Promise<FlushResult> | undefined;

  constructor(private readonly now: () => number = Date.now) {
    // Reports queued while offline leave as soon as the network is back.
    globalThis.addEventListener?.('online', () => void this.flush());
  }

  private open(): Promise<LedgerDb> {
    this.db ??= openLedgerDb(undefined, () => (this.db = undefined)).catch((err: unknown) => {
      this.db = undefined;
      throw err;
    });
    return this.db;
  }

  /** The memo key: same decoded pixels, same model, same parameters → same report, no new cost. */
  static memoKey(contentHash: string, model: ModelRef, options: ReleaseOptions): string {
    return JSON.stringify([
      contentHash,
      model.id,
      model.layer,
      options.scope ?? 'default',
      options.mechanism,
      options.dims ?? null,
      options.destination,
    ]);
  }

  async release(
    clean: Float32Array,
    model: ModelRef,
    contentHash: string,
    options: ReleaseOptions,
  ): Promise<ReleaseOutcome> {
    const db = await this.open();
    const report = privatizeFeatures(
      clean,
      model,
      {
        mechanism: options.mechanism,
        ...(options.dims !== undefined ? { dims: options.dims } : {}),
        scope: options.scope ?? 'default',
      },
      cryptoRandomSource,
      new Date(this.now()),
    );
    const outcome = await commitRelease(db, {
      report,
      cost: costOf(options.mechanism),
      destination: options.destination,
      memoKey: ReleaseService.memoKey(contentHash, model, options),
      now: this.now(),
    });
    void this.flush();
    return outcome;
  }

  async budget(scope = 'default'): Promise<BudgetStatus> {
    return readBudget(await this.open(), scope, this.now());
  }

  async ledger(scope?: string): Promise<LedgerEntry[]> {
    return listLedger(await this.open(), scope);
  }

  async configureScope(scope: ScopeConfig): Promise<void> {
    await saveScope(await this.open(), scope);
  }

  /** Sends what is due now and schedules the next attempt for what is left. */
  flush(): Promise<FlushResult> {
    if (this.flushing) return this.flushing;
    this.flushing = (async () => {
      try {
        const result = await flushOutbox(await this.open(), this.now);
        clearTimeout(this.timer);
        if (result.waiting > 0) {
          const wait = result.nextDueAt === null ? 1000 : Math.max(50, result.nextDueAt - this.now());
          this.timer = setTimeout(() => void this.flush(), wait);
        }
        return result;
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }
}
