/**
 * The reporter: the only code that sends anything. It takes due reports from the
 * outbox, checks each against the report schema, POSTs it as JSON with an
 * Idempotency-Key (the report id), or PUTs an aggregator its own share
 * (share-delivery.ts), and records what happened in the ledger entry:
 * `sending` while on the wire, then `delivered`, `retrying` (with the next attempt's
 * time) or `rejected` (with the collector's reason). Delivered and rejected reports
 * leave the outbox in the same transaction, so a refusal frees its slot. A Web Lock
 * makes one flusher at a time send, across tabs and workers.
 *
 * A report checked against a collector's task carries that task's version, and is checked again
 * before each attempt (`recheck`); it goes on the wire only once its task is confirmed:
 * - the task no longer admits it, and it was never on the wire (its entry still `queued`): it is
 *   withdrawn unsent, its entry `withdrawn` and its charge no longer counting. That is safe: nothing
 *   of it ever left the device, so it released nothing.
 * - the task no longer admits it, but an earlier attempt was made (`sending`/`retrying`: the bytes
 *   may have reached the collector, whatever it answered): it is not sent again, and is `rejected`
 *   with its charge standing.
 * - the task cannot be read now (offline): it waits, unsent, for the next attempt's time.
 * A report the collector refuses on arrival (TaskMismatchError, after the task changed between the
 * check and the POST) is refused as any other: it did leave, so it stays charged.
 */
import { parseReport } from '../report/schema';
import { describeError } from '../errors';
import {
  isShareEntry,
  type LedgerDb,
  type LedgerEntry,
  type OutboxEntry,
  type ReportOutboxEntry,
} from '../ledger/ledger-schema';
import { withdrawFromTotals } from '../ledger/running-totals';
import {
  attemptDelivery,
  DEFAULT_RETRY_POLICY,
  reportRequest,
  retryWait,
  type AttemptOutcome,
  type FailureReason,
  type RetryPolicy,
} from './delivery';
import { invalidShareReason, recordShare, shareRequest, shareSending } from './share-delivery';

export interface FlushResult {
  readonly sent: number;
  /** Attempts that failed and will be retried. */
  readonly failed: number;
  /** Reports refused for good (by the collector, or invalid in the outbox). */
  readonly rejected: number;
  /** Reports withdrawn unsent, their task having changed under them (their charges given back). */
  readonly withdrawn: number;
  /** Reports still waiting, and when the earliest is due (ms since the epoch), or null. */
  readonly waiting: number;
  readonly nextDueAt: number | null;
}

export interface FlushContext {
  readonly now: () => number;
  readonly send?: typeof fetch;
  /** Backoff, its cap (which bounds a Retry-After too) and the timeout of one attempt. */
  readonly policy?: RetryPolicy;
  /** Hears every change of a ledger entry's delivery state, with the ids of the entries changed. */
  readonly onChange?: (changed: readonly string[]) => void;
  /** Checks a report that carries a task stamp against the collector's task as it is now. */
  readonly recheck?: (entry: ReportOutboxEntry) => Promise<TaskVerdict>;
}

/**
 * What the collector's current task says of a queued report: send it; withdraw it (the task no
 * longer admits it, `reason` says how); or wait (the task cannot be read now, `reason` says why).
 */
export type TaskVerdict =
  | { readonly kind: 'send' }
  | { readonly kind: 'withdraw'; readonly reason: FailureReason }
  | { readonly kind: 'wait'; readonly reason: FailureReason };

const LOCK = 'obscura-outbox-flush';

interface LockManagerLike {
  request<T>(name: string, options: { ifAvailable: boolean }, run: (lock: unknown) => Promise<T>): Promise<T>;
}

/** Sends every due report once; returns what is left. Skips (sent 0) when another context holds the lock. */
export async function flushOutbox(db: LedgerDb, context: FlushContext): Promise<FlushResult> {
  const locks = (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks;
  const run = () => flushOnce(db, context);
  if (!locks) return run();
  return locks.request(LOCK, { ifAvailable: true }, async (lock) => (lock ? run() : summary(db, 0, 0, 0, 0)));
}

async function flushOnce(db: LedgerDb, context: FlushContext): Promise<FlushResult> {
  const { now, onChange } = context;
  const policy = context.policy ?? DEFAULT_RETRY_POLICY;
  const attempt = { now, timeoutMs: policy.timeoutMs, ...(context.send ? { send: context.send } : {}) };
  let sent = 0;
  let failed = 0;
  let rejected = 0;
  let withdrawn = 0;
  const due = await db.getAllFromIndex('outbox', 'due', IDBKeyRange.upperBound(now()));
  // A leader's share before its helper's: the leader checks the whole share; if it refuses, the helper's stays.
  due.sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || leaderFirst(a) - leaderFirst(b));
  for (const entry of due) {
    let outcome: AttemptOutcome;
    const share = isShareEntry(entry);
    // A share is dropped when its sibling was refused for good, possibly earlier in this round.
    if (share && !(await db.getKey('outbox', entry.id))) continue;
    const invalid = share ? invalidShareReason(entry) : invalidReason(entry);
    const verdict = !isShareEntry(entry) && !invalid && entry.task ? await recheck(context, entry) : undefined;
    if (verdict && verdict.kind !== 'send' && !isShareEntry(entry)) {
      if (verdict.kind === 'wait') {
        await postpone(db, entry, verdict.reason, now(), policy);
        failed++;
      } else if (await withdraw(db, entry, verdict.reason)) withdrawn++;
      else rejected++;
      onChange?.([entry.id]);
      continue;
    }
    if (invalid) {
      // Never send what is not a report; the person sees why it never left.
      outcome = { kind: 'rejected', reason: invalid };
    } else {
      if (share) await updateLedger(db, entry.entryId, (e) => shareSending(e, entry.role));
      else await updateLedger(db, entry.id, (e) => ({ ...e, state: 'sending' }));
      onChange?.([share ? entry.entryId : entry.id]);
      outcome = await attemptDelivery(
        entry.destination,
        share ? shareRequest(entry) : reportRequest(entry.report),
        attempt,
      );
    }
    if (share) await recordShare(db, entry, outcome, now(), policy);
    else await record(db, entry, outcome, now(), policy);
    onChange?.([share ? entry.entryId : entry.id]);
    if (outcome.kind === 'delivered') sent++;
    else if (outcome.kind === 'rejected') rejected++;
    else failed++;
  }
  return summary(db, sent, failed, rejected, withdrawn);
}

/** The recheck's verdict; no recheck sends, and a recheck that throws makes the report wait. */
async function recheck(context: FlushContext, entry: ReportOutboxEntry): Promise<TaskVerdict> {
  if (!context.recheck) return { kind: 'send' };
  try {
    return await context.recheck(entry);
  } catch (err) {
    return { kind: 'wait', reason: describeError(err) };
  }
}

/**
 * Withdraws a report the collector's task no longer admits, in one transaction (the budget never
 * sees half of it). Never on the wire (its entry still `queued`): `withdrawn`, its charge no longer
 * counting (ledger-queries.ts countingCharges) and its memo keys gone, so the same content can be
 * released again under the new task, charged then; true. Attempted before: `rejected`, charged; false.
 */
async function withdraw(db: LedgerDb, entry: ReportOutboxEntry, reason: FailureReason): Promise<boolean> {
  const tx = db.transaction(['outbox', 'ledger', 'memo', 'totals', 'expiries'], 'readwrite', {
    durability: 'strict',
  });
  const ledger = tx.objectStore('ledger');
  const memo = tx.objectStore('memo');
  const [current, memoKeys] = await Promise.all([ledger.get(entry.id), memo.index('report').getAllKeys(entry.id)]);
  const unsent = current?.state === 'queued';
  void tx.objectStore('outbox').delete(entry.id);
  if (unsent) for (const key of memoKeys) void memo.delete(key);
  // Its charge leaves the budgets' running sums in the same transaction.
  if (unsent && current) await withdrawFromTotals(tx, current);
  if (current) {
    const { nextAttemptAt: _, ...rest } = current;
    const sentBefore = 'an earlier attempt may have reached the collector, so its charge stands';
    void ledger.put(
      unsent
        ? { ...rest, state: 'withdrawn', error: { ...reason } }
        : { ...rest, state: 'rejected', error: { ...reason, message: `${reason.message}; ${sentBefore}` } },
    );
  }
  await tx.done;
  return unsent;
}

/** A report whose task cannot be read now waits, unsent: its state stays what it was, its next check is backed off. */
async function postpone(
  db: LedgerDb,
  entry: ReportOutboxEntry,
  reason: FailureReason,
  at: number,
  policy: RetryPolicy,
): Promise<void> {
  const tx = db.transaction(['outbox', 'ledger'], 'readwrite');
  const attempts = entry.attempts + 1;
  const nextAttemptAt = at + retryWait(attempts, undefined, policy);
  void tx.objectStore('outbox').put({ ...entry, attempts, nextAttemptAt });
  const current = await tx.objectStore('ledger').get(entry.id);
  if (current) void tx.objectStore('ledger').put({ ...current, attempts, nextAttemptAt, error: { ...reason } });
  await tx.done;
}

function leaderFirst(entry: OutboxEntry): number {
  return isShareEntry(entry) && entry.role === 'helper' ? 1 : 0;
}

function invalidReason(entry: ReportOutboxEntry): { name: string; message: string } | undefined {
  try {
    const report = parseReport(entry.report);
    if (report.id !== entry.id)
      return { name: 'InvalidReportError', message: `the outbox entry ${entry.id} holds report ${report.id}` };
    return undefined;
  } catch (err) {
    return describeError(err);
  }
}

/** The outcome in one transaction: final outcomes leave the outbox, retries get their next time. */
async function record(
  db: LedgerDb,
  entry: ReportOutboxEntry,
  outcome: AttemptOutcome,
  at: number,
  policy: RetryPolicy,
): Promise<void> {
  const tx = db.transaction(['outbox', 'ledger'], 'readwrite');
  const ledger = tx.objectStore('ledger');
  const current = await ledger.get(entry.id);
  const attempts = entry.attempts + (outcome.kind === 'delivered' ? 0 : 1);
  if (outcome.kind === 'retry') {
    const nextAttemptAt = at + retryWait(attempts, outcome.retryAfterMs, policy);
    void tx.objectStore('outbox').put({ ...entry, attempts, nextAttemptAt });
    if (current)
      void ledger.put({ ...current, state: 'retrying', attempts, nextAttemptAt, error: { ...outcome.reason } });
  } else {
    void tx.objectStore('outbox').delete(entry.id);
    if (current) {
      const { nextAttemptAt: _, ...rest } = current;
      void ledger.put(
        outcome.kind === 'delivered'
          ? { ...rest, state: 'delivered', deliveredAt: at, attempts }
          : { ...rest, state: 'rejected', attempts, error: { ...outcome.reason } },
      );
    }
  }
  await tx.done;
}

export async function updateLedger(db: LedgerDb, id: string, change: (e: LedgerEntry) => LedgerEntry): Promise<void> {
  const tx = db.transaction('ledger', 'readwrite');
  const current = await tx.store.get(id);
  if (current) void tx.store.put(change(current));
  await tx.done;
}

async function summary(
  db: LedgerDb,
  sent: number,
  failed: number,
  rejected: number,
  withdrawn: number,
): Promise<FlushResult> {
  const waiting = await db.count('outbox');
  const first = await db.getFromIndex('outbox', 'due', IDBKeyRange.lowerBound(-Infinity));
  return { sent, failed, rejected, withdrawn, waiting, nextDueAt: first?.nextAttemptAt ?? null };
}
