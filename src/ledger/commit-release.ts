import { ObscuraError } from '../errors';
import type { Cost } from '../privacy/accountant';
import type { Report } from '../report/schema';
import { decideOnSums, DEVICE, knownScopes, statusFromSums, unknownScope, type BudgetStatus } from './budget-policy';
import { addChargeToTotals, clockAfter, loadTarget, overviewWith, type LedgerOverview } from './running-totals';
import type { Guarantee } from '../privacy/aggregate/plan';
import type { AggregateScope } from './aggregate-scope';
import { commitmentOf, type AggregateCommitment } from './share-commitment';
import {
  AGGREGATOR_ROLES,
  storageError,
  type AggregateSubmission,
  type LedgerDb,
  type LedgerEntry,
  type OutboxEntry,
  type TaskStamp,
  type TrainParticipation,
} from './ledger-schema';

/** At most this many reports wait to be sent; past it a release is refused rather than anything dropped. */
export const OUTBOX_LIMIT = 1000;

export interface ReleaseRecord {
  readonly report: Report;
  /** The budget scope to charge when it is not the report's own (a widget host's grant). */
  readonly budgetScope?: string;
  /** The embedding page's origin, for a widget host's release. */
  readonly host?: string;
  readonly cost: Cost;
  readonly destination: string;
  /** The collector's task the report was checked against; the reporter checks it again before sending. */
  readonly task?: TaskStamp;
  /** false: the report is not queued for sending; the ledger records it as delivered to `destination` now. */
  readonly queue?: boolean;
  /** Same content + same parameters: the stored report is returned, at no cost. */
  readonly memoKey: string;
  readonly now: number;
}

/**
 * What a commit gives back, for every kind of release: whether it charged (false: the memo's stored
 * payload came back at no cost), what the ledger holds as its payload, and the budget after.
 */
export interface CommitOutcome<Payload = Report> {
  readonly charged: boolean;
  readonly report: Payload;
  readonly budget: BudgetStatus;
}

/** A local-DP release: charges its cost and queues the report for the collector (see commitCharge). */
export async function commitRelease(db: LedgerDb, record: ReleaseRecord): Promise<CommitOutcome & Committed> {
  const queue = record.queue !== false;
  const scope = record.budgetScope ?? record.report.scope;
  const outcome = await commitCharge(db, {
    scope,
    cost: record.cost,
    memoKey: record.memoKey,
    now: record.now,
    build: (time) => {
      const entry: LedgerEntry = {
        id: record.report.id,
        scope,
        ...(record.host !== undefined ? { host: record.host } : {}),
        time,
        mechanism: record.report.mechanism.name,
        ...costFields(record.cost),
        destination: record.destination,
        state: queue ? 'queued' : 'delivered',
        ...(queue ? {} : { deliveredAt: record.now }),
        payload: record.report,
        ...(record.task ? { task: record.task } : {}),
      };
      const outbox: OutboxEntry[] = queue
        ? [
            {
              id: entry.id,
              destination: record.destination,
              report: record.report,
              ...(record.task ? { task: record.task } : {}),
              attempts: 0,
              nextAttemptAt: record.now,
            },
          ]
        : [];
      return { entry, outbox };
    },
  });
  return outcome as CommitOutcome & Committed;
}

/** What a commit adds to its outcome for the pages' delta (never part of a release's outcome). */
export interface Committed {
  /** The entry a charge added; absent on a memo hit. */
  readonly entry?: LedgerEntry;
  /** Every budget and the number of entries just after the charge, read in its transaction; absent on a memo hit. */
  readonly overview?: LedgerOverview;
}

/** An aggregate-only release: the two shares, both guarantees, and the cost (the central ε). */
export interface AggregateReleaseRecord {
  readonly scope: string;
  readonly submission: AggregateSubmission;
  readonly central: Guarantee;
  readonly local: Guarantee;
  readonly config: AggregateScope;
  readonly cost: Cost;
  readonly memoKey: string;
  readonly now: number;
  /** A training round's share: recorded on the entry (aggregate.train). */
  readonly train?: TrainParticipation;
}

/** The ledger holds the commitment to the shares, never the shares. */
export type AggregateCommitOutcome = CommitOutcome<AggregateCommitment>;

/**
 * Like commitRelease, in one transaction: charges the central ε and queues two deliveries under
 * the one report id, each share to its own aggregator. The entry is delivered only when both are.
 * The shares go into the outbox only, which deletes each as its aggregator answers; the ledger
 * entry keeps their commitment.
 */
export async function commitAggregateRelease(
  db: LedgerDb,
  record: AggregateReleaseRecord,
): Promise<AggregateCommitOutcome & Committed> {
  const { submission } = record;
  const commitment = commitmentOf(submission);
  const outcome = await commitCharge(db, {
    scope: record.scope,
    cost: record.cost,
    memoKey: record.memoKey,
    now: record.now,
    build: (time) => {
      const deliveries = {
        leader: { destination: submission.leader.url, state: 'queued' as const },
        helper: { destination: submission.helper.url, state: 'queued' as const },
      };
      const entry: LedgerEntry = {
        id: submission.id,
        scope: record.scope,
        time,
        mechanism: AGGREGATE_MECHANISM,
        ...costFields(record.cost),
        destination: record.config.leader,
        state: 'queued',
        payload: commitment,
        aggregate: {
          central: record.central,
          local: record.local,
          scope: record.config,
          deliveries,
          ...(record.train ? { train: record.train } : {}),
        },
      };
      const outbox: OutboxEntry[] = AGGREGATOR_ROLES.map((role) => ({
        id: `${submission.id}.${role}`,
        entryId: submission.id,
        role,
        destination: submission[role].url,
        share: submission[role].body,
        attempts: 0,
        nextAttemptAt: record.now,
      }));
      return { entry, outbox };
    },
  });
  return outcome as AggregateCommitOutcome & Committed;
}

/** The ledger's mechanism name for aggregate-only releases: Skellam noise shares, summed under Prio3. */
export const AGGREGATE_MECHANISM = 'prio3-skellam';

function costFields(cost: Cost) {
  return {
    epsilon: cost.epsilon,
    delta: cost.delta,
    rho: cost.rho,
    epsilonUnits: cost.epsilonUnits,
    rhoUnits: cost.rhoUnits,
    ...(cost.deltaUnits ? { deltaUnits: cost.deltaUnits } : {}),
  };
}

function withdrawn(scope: string, budget: BudgetStatus): ObscuraError {
  return new ObscuraError('BudgetExhaustedError', `the "${scope}" budget was withdrawn (its total is 0)`, {
    remaining: 0,
    refillsAt: budget.refillsAt,
    scope,
    budget: 'scope',
  });
}

interface ChargeRecord {
  readonly scope: string;
  readonly cost: Cost;
  readonly memoKey: string;
  readonly now: number;
  /** The entry and its deliveries, given the charge's time; called inside the transaction, so synchronous. */
  readonly build: (time: number) => { entry: LedgerEntry; outbox: OutboxEntry[] };
}

/**
 * ONE readwrite transaction, with strict durability (the charge is on disk before anything can
 * leave), over the budgets' running sums + ledger + outbox + memo: a memo hit returns the stored
 * payload; otherwise the charge is checked against the scope AND the device budget, recorded in the
 * sums and the ledger and the deliveries enqueued together. It reads a fixed number of records
 * (running-totals.ts), and each other scope's sums for the overview the pages are told, never the whole
 * ledger. An unknown scope is an UnknownScopeError (scopes are never
 * created here). Nothing else is awaited inside the transaction (it would auto-commit);
 * IndexedDB runs overlapping readwrite transactions one at a time, across tabs and workers, so
 * two releases cannot both spend the last ε.
 */
async function commitCharge(db: LedgerDb, record: ChargeRecord): Promise<ChargeOutcome> {
  const scopeName = record.scope;
  let outcome: ChargeOutcome | undefined;
  let refusal: ObscuraError | undefined;
  try {
    const tx = db.transaction(['budgetChanges', 'ledger', 'outbox', 'memo', 'totals', 'expiries'], 'readwrite', {
      durability: 'strict',
    });
    const deviceRecord = tx.objectStore('totals').get(DEVICE);
    const [memo, queued, time] = await Promise.all([
      tx.objectStore('memo').get(record.memoKey),
      tx.objectStore('outbox').count(),
      deviceRecord.then((found) => clockAfter(found, record.now)),
    ]);
    const own = await loadTarget(tx, scopeName, time);
    const device = (await loadTarget(tx, DEVICE, time, deviceRecord))!;
    if (!own || scopeName === DEVICE) {
      refusal = unknownScope(scopeName, knownScopes(await tx.objectStore('budgetChanges').getAll()));
      tx.abort();
    } else {
      const stored = memo ? await tx.objectStore('ledger').get(memo.reportId) : undefined;
      if (stored && stored.scope === scopeName) {
        const budget = statusFromSums(scopeName, own.state, device.state);
        // A budget set to 0 is withdrawn (a revoked host's grant): not even a stored report leaves again.
        if (budget.total === 0) {
          refusal = withdrawn(scopeName, budget);
          tx.abort();
        } else outcome = { charged: false, report: stored.payload, budget };
      }
    }
    if (!outcome && !refusal && own) {
      const decision = decideOnSums(scopeName, own.state, device.state, record.cost, time);
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
        const { entry, outbox } = record.build(decision.charge.time);
        void tx.objectStore('ledger').add(entry);
        for (const o of outbox) void tx.objectStore('outbox').add(o);
        void tx.objectStore('memo').put({ key: record.memoKey, reportId: entry.id });
        addChargeToTotals(tx, entry.id, decision.charge, own, device);
        // What the pages are told of this commit, from the same transaction: the sums just written.
        const { states } = decision;
        const ledgerCount = device.record.entries ?? 0;
        const overview = await overviewWith(tx, time, states.device, new Map([[scopeName, states.own]]), ledgerCount);
        outcome = { charged: true, report: entry.payload, budget: decision.after, entry, overview };
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

interface ChargeOutcome {
  readonly charged: boolean;
  readonly report: LedgerEntry['payload'];
  readonly budget: BudgetStatus;
  /** The entry a charge added (absent on a memo hit). */
  readonly entry?: LedgerEntry;
  /** Every budget and the number of entries just after the charge (absent on a memo hit). */
  readonly overview?: LedgerOverview;
}
