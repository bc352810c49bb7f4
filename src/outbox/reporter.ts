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
 * A report checked against a collector's task carries that task's version; before each attempt
 * it is checked again (`recheck`), and a report the collector's current task no longer admits is
 * withdrawn unsent: its entry becomes `withdrawn` and its charge stops counting. That is safe
 * because nothing of it ever left the device, so it released nothing. A report the collector
 * refuses after receiving it (TaskMismatchError, as any other refusal) stays charged: it did leave.
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
import { retryDelay } from './backoff';
import { outcomeOf, type AttemptOutcome, type FailureReason } from './delivery-outcome';
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
  /** Hears every change of a ledger entry's delivery state. */
  readonly onChange?: () => void;
  /**
   * Checks a report that carries a task stamp against the collector's task as it is now: why it
   * can no longer be accepted (the report is then withdrawn unsent), or undefined to send it.
   */
  readonly recheck?: (entry: ReportOutboxEntry) => Promise<FailureReason | undefined>;
}

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
  const send = context.send ?? fetch;
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
    const changed = !isShareEntry(entry) && !invalid && entry.task ? await recheck(context, entry) : undefined;
    if (changed && !isShareEntry(entry)) {
      await withdraw(db, entry, changed);
      onChange?.();
      withdrawn++;
      continue;
    }
    if (invalid) {
      // Never send what is not a report; the person sees why it never left.
      outcome = { kind: 'rejected', reason: invalid };
    } else {
      if (share) await updateLedger(db, entry.entryId, (e) => shareSending(e, entry.role));
      else await updateLedger(db, entry.id, (e) => ({ ...e, state: 'sending' }));
      onChange?.();
      try {
        const res = await send(
          entry.destination,
          share
            ? shareRequest(entry)
            : {
                method: 'POST',
                headers: { 'Content-Type': 'application/json', 'Idempotency-Key': entry.id },
                body: JSON.stringify(entry.report),
                credentials: 'omit',
              },
        );
        outcome = await outcomeOf(res, now());
      } catch (err) {
        outcome = {
          kind: 'retry',
          reason: { name: 'NetworkError', message: describeError(err).message },
          retryAfterMs: undefined,
        };
      }
    }
    if (share) await recordShare(db, entry, outcome, now(), jitter());
    else await record(db, entry, outcome, now());
    onChange?.();
    if (outcome.kind === 'delivered') sent++;
    else if (outcome.kind === 'rejected') rejected++;
    else failed++;
  }
  return summary(db, sent, failed, rejected, withdrawn);
}

/** The recheck's verdict; a check that fails (offline, say) decides nothing, and the attempt goes ahead. */
async function recheck(context: FlushContext, entry: ReportOutboxEntry): Promise<FailureReason | undefined> {
  try {
    return await context.recheck?.(entry);
  } catch {
    return undefined;
  }
}

/**
 * Withdraws a report that never left: out of the outbox, its entry `withdrawn` (its charge stops
 * counting, ledger-queries.ts countingCharges) and its memo keys gone, so the same content can be
 * released again under the new task, charged then. One transaction, so the budget never sees half.
 */
async function withdraw(db: LedgerDb, entry: ReportOutboxEntry, reason: FailureReason): Promise<void> {
  const tx = db.transaction(['outbox', 'ledger', 'memo'], 'readwrite', { durability: 'strict' });
  const ledger = tx.objectStore('ledger');
  const memo = tx.objectStore('memo');
  const [current, memos] = await Promise.all([ledger.get(entry.id), memo.getAll()]);
  void tx.objectStore('outbox').delete(entry.id);
  for (const m of memos) if (m.reportId === entry.id) void memo.delete(m.key);
  if (current) {
    const { nextAttemptAt: _, ...rest } = current;
    void ledger.put({ ...rest, state: 'withdrawn', error: { ...reason } });
  }
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
async function record(db: LedgerDb, entry: ReportOutboxEntry, outcome: AttemptOutcome, at: number): Promise<void> {
  const tx = db.transaction(['outbox', 'ledger'], 'readwrite');
  const ledger = tx.objectStore('ledger');
  const current = await ledger.get(entry.id);
  const attempts = entry.attempts + (outcome.kind === 'delivered' ? 0 : 1);
  if (outcome.kind === 'retry') {
    const nextAttemptAt = at + (outcome.retryAfterMs ?? retryDelay(attempts, jitter()));
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

/** Jitter only spreads retries in time; it protects nothing, so it need not be cryptographic. */
function jitter(): number {
  const word = new Uint32Array(1);
  crypto.getRandomValues(word);
  return word[0]! / 4294967296;
}
