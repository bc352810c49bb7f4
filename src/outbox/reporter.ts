/**
 * The reporter: the only code that sends anything. It takes due reports from the
 * outbox, checks each against the report schema, POSTs it as JSON with an
 * Idempotency-Key (the report id), or PUTs an aggregator its own share
 * (share-delivery.ts), and records what happened in the ledger entry:
 * `sending` while on the wire, then `delivered`, `retrying` (with the next attempt's
 * time) or `rejected` (with the collector's reason). Delivered and rejected reports
 * leave the outbox in the same transaction, so a refusal frees its slot. A Web Lock
 * makes one flusher at a time send, across tabs and workers.
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
import { outcomeOf, type AttemptOutcome } from './delivery-outcome';
import { invalidShareReason, recordShare, shareRequest, shareSending } from './share-delivery';

export interface FlushResult {
  readonly sent: number;
  /** Attempts that failed and will be retried. */
  readonly failed: number;
  /** Reports refused for good (by the collector, or invalid in the outbox). */
  readonly rejected: number;
  /** Reports still waiting, and when the earliest is due (ms since the epoch), or null. */
  readonly waiting: number;
  readonly nextDueAt: number | null;
}

export interface FlushContext {
  readonly now: () => number;
  readonly send?: typeof fetch;
  /** Hears every change of a ledger entry's delivery state. */
  readonly onChange?: () => void;
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
  return locks.request(LOCK, { ifAvailable: true }, async (lock) => (lock ? run() : summary(db, 0, 0, 0)));
}

async function flushOnce(db: LedgerDb, context: FlushContext): Promise<FlushResult> {
  const { now, onChange } = context;
  const send = context.send ?? fetch;
  let sent = 0;
  let failed = 0;
  let rejected = 0;
  const due = await db.getAllFromIndex('outbox', 'due', IDBKeyRange.upperBound(now()));
  // A leader's share before its helper's: the leader checks the whole share; if it refuses, the helper's stays.
  due.sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || leaderFirst(a) - leaderFirst(b));
  for (const entry of due) {
    let outcome: AttemptOutcome;
    const share = isShareEntry(entry);
    // A share is dropped when its sibling was refused for good, possibly earlier in this round.
    if (share && !(await db.getKey('outbox', entry.id))) continue;
    const invalid = share ? invalidShareReason(entry) : invalidReason(entry);
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
  return summary(db, sent, failed, rejected);
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

async function summary(db: LedgerDb, sent: number, failed: number, rejected: number): Promise<FlushResult> {
  const waiting = await db.count('outbox');
  const first = await db.getFromIndex('outbox', 'due', IDBKeyRange.lowerBound(-Infinity));
  return { sent, failed, rejected, waiting, nextDueAt: first?.nextAttemptAt ?? null };
}

/** Jitter only spreads retries in time; it protects nothing, so it need not be cryptographic. */
function jitter(): number {
  const word = new Uint32Array(1);
  crypto.getRandomValues(word);
  return word[0]! / 4294967296;
}
