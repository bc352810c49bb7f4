import { ObscuraError } from '../errors';
import type { Cost } from '../privacy/accountant';
import type { Report } from '../report/schema';
import { budgetStatus, decideCharge, type BudgetStatus } from './budget-policy';
import { chargeOf } from './ledger-queries';
import { storageError, type LedgerDb, type LedgerEntry } from './ledger-schema';

/** At most this many reports wait to be sent; past it a release is refused rather than anything dropped. */
export const OUTBOX_LIMIT = 1000;

export interface ReleaseRecord {
  readonly report: Report;
  readonly cost: Cost;
  readonly destination: string;
  /** false: the report is not queued for sending; the ledger records it as delivered to `destination` now. */
  readonly queue?: boolean;
  /** Same content + same parameters: the stored report is returned, at no cost. */
  readonly memoKey: string;
  readonly now: number;
}

export type CommitOutcome =
  | { readonly charged: true; readonly report: Report; readonly budget: BudgetStatus }
  | { readonly charged: false; readonly report: Report; readonly budget: BudgetStatus };

/**
 * ONE readwrite transaction, with strict durability (the charge is on disk before the report
 * can leave), over budget changes + ledger + outbox + memo: a memo hit returns the stored
 * report; otherwise the charge is checked against the scope AND the device budget, recorded
 * and the report enqueued together. An unknown scope is an UnknownScopeError (scopes are
 * never created here). Nothing else is awaited inside the transaction (it would
 * auto-commit); IndexedDB runs overlapping readwrite transactions one at a time, across tabs
 * and workers, so two releases cannot both spend the last ε.
 */
export async function commitRelease(db: LedgerDb, record: ReleaseRecord): Promise<CommitOutcome> {
  const scopeName = record.report.scope;
  let outcome: CommitOutcome | undefined;
  let refusal: ObscuraError | undefined;
  try {
    const tx = db.transaction(['budgetChanges', 'ledger', 'outbox', 'memo'], 'readwrite', { durability: 'strict' });
    const [changes, memo, entries, queued] = await Promise.all([
      tx.objectStore('budgetChanges').getAll(),
      tx.objectStore('memo').get(record.memoKey),
      tx.objectStore('ledger').getAll(),
      tx.objectStore('outbox').count(),
    ]);
    const state = { changes, charges: entries.map(chargeOf) };
    if (memo) {
      const stored = entries.find((e) => e.id === memo.reportId && e.scope === scopeName);
      if (stored) {
        try {
          outcome = { charged: false, report: stored.payload, budget: budgetStatus(state, scopeName, record.now) };
        } catch (err) {
          refusal = err as ObscuraError;
          tx.abort();
        }
      }
    }
    if (!outcome && !refusal) {
      const decision = decideCharge(state, scopeName, record.cost, record.now);
      if (!decision.ok) {
        refusal = decision.error;
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
          time: decision.charge.time,
          mechanism: record.report.mechanism.name,
          epsilon: record.cost.epsilon,
          delta: record.cost.delta,
          rho: record.cost.rho,
          epsilonUnits: record.cost.epsilonUnits,
          rhoUnits: record.cost.rhoUnits,
          destination: record.destination,
          state: record.queue === false ? 'delivered' : 'queued',
          ...(record.queue === false ? { deliveredAt: record.now } : {}),
          payload: record.report,
        };
        void tx.objectStore('ledger').add(entry);
        if (record.queue !== false) {
          void tx.objectStore('outbox').add({
            id: entry.id,
            destination: record.destination,
            report: record.report,
            attempts: 0,
            nextAttemptAt: record.now,
          });
        }
        void tx.objectStore('memo').put({ key: record.memoKey, reportId: entry.id });
        outcome = { charged: true, report: record.report, budget: decision.after };
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
