import { ObscuraError } from '../errors';
import type { Cost } from '../privacy/accountant';
import type { Report } from '../report/schema';
import {
  budgetStatus,
  DEFAULT_SCOPE,
  mayCharge,
  type BudgetStatus,
  type Charge,
  type ScopeConfig,
} from './budget-policy';
import { storageError, type LedgerDb, type LedgerEntry } from './ledger-schema';

/** At most this many reports wait to be sent; past it a release is refused rather than anything dropped. */
export const OUTBOX_LIMIT = 1000;

export interface ReleaseRecord {
  readonly report: Report;
  readonly cost: Cost;
  readonly destination: string;
  /** Same content + same parameters: the stored report is returned, at no cost. */
  readonly memoKey: string;
  readonly now: number;
}

export type CommitOutcome =
  | { readonly charged: true; readonly report: Report; readonly budget: BudgetStatus }
  | { readonly charged: false; readonly report: Report; readonly budget: BudgetStatus };

/**
 * ONE readwrite transaction over scopes + ledger + outbox + memo: a memo hit returns
 * the stored report; otherwise the remaining budget is checked, the charge recorded
 * and the report enqueued together. Nothing else is awaited inside it (it would
 * auto-commit); IndexedDB runs overlapping readwrite transactions one at a time,
 * across tabs and workers, so two releases cannot both spend the last ε.
 */
export async function commitRelease(db: LedgerDb, record: ReleaseRecord): Promise<CommitOutcome> {
  const scopeName = record.report.scope;
  let outcome: CommitOutcome | undefined;
  let refusal: ObscuraError | undefined;
  try {
    const tx = db.transaction(['scopes', 'ledger', 'outbox', 'memo'], 'readwrite');
    const [scope, memo, entries, queued] = await Promise.all([
      tx.objectStore('scopes').get(scopeName),
      tx.objectStore('memo').get(record.memoKey),
      tx.objectStore('ledger').index('scope').getAll(scopeName),
      tx.objectStore('outbox').count(),
    ]);
    const config: ScopeConfig = scope ?? { ...DEFAULT_SCOPE, name: scopeName };
    const charges: Charge[] = entries.map((e) => ({ time: e.time, epsilon: e.epsilon, delta: e.delta, rho: e.rho }));
    if (memo) {
      const stored = entries.find((e) => e.id === memo.reportId);
      if (stored)
        outcome = { charged: false, report: stored.payload, budget: budgetStatus(config, charges, record.now) };
    }
    if (!outcome) {
      if (!mayCharge(config, charges, record.cost, record.now)) {
        const status = budgetStatus(config, charges, record.now);
        refusal = new ObscuraError(
          'BudgetExhaustedError',
          `the "${scopeName}" budget has ε = ${status.remaining.toFixed(4)} left, this release costs ε = ${record.cost.epsilon}` +
            (status.refillsAt !== null
              ? `; it refills from ${new Date(status.refillsAt).toISOString()}`
              : '; it does not refill by itself'),
          { remaining: status.remaining, refillsAt: status.refillsAt, scope: scopeName },
        );
        tx.abort();
      } else if (queued >= OUTBOX_LIMIT) {
        refusal = new ObscuraError(
          'OutboxFullError',
          `${queued} reports are still waiting to be delivered; new releases wait until some are sent`,
        );
        tx.abort();
      } else {
        const entry: LedgerEntry = {
          id: record.report.id,
          scope: scopeName,
          time: record.now,
          mechanism: record.report.mechanism.name,
          epsilon: record.cost.epsilon,
          delta: record.cost.delta,
          rho: record.cost.rho,
          destination: record.destination,
          state: 'queued',
          payload: record.report,
        };
        if (!scope) void tx.objectStore('scopes').put(config);
        void tx.objectStore('ledger').add(entry);
        void tx.objectStore('outbox').add({
          id: entry.id,
          destination: record.destination,
          report: record.report,
          attempts: 0,
          nextAttemptAt: record.now,
        });
        void tx.objectStore('memo').put({ key: record.memoKey, reportId: entry.id });
        outcome = {
          charged: true,
          report: record.report,
          budget: budgetStatus(config, [...charges, { time: record.now, ...record.cost }], record.now),
        };
      }
    }
    await tx.done.catch((err: unknown) => {
      if (!refusal) throw err;
    });
  } catch (err) {
    if (refusal) throw refusal;
    throw storageError(err);
  }
  if (refusal) throw refusal;
  return outcome!;
}
