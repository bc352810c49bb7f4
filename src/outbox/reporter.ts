/**
 * The reporter: the only code that sends anything. It takes due reports from the
 * outbox, checks each against the report schema, POSTs it as JSON with an
 * Idempotency-Key (the report id), and on a 2xx deletes it from the outbox and
 * marks its ledger entry delivered, in one transaction. Failures are retried with
 * backoff. A Web Lock makes one flusher at a time send, across tabs and workers.
 */
import { isReport } from '../report/schema';
import type { LedgerDb } from '../ledger/ledger-schema';
import { retryDelay } from './backoff';

export interface FlushResult {
  readonly sent: number;
  readonly failed: number;
  /** Reports still waiting, and when the earliest is due (ms since the epoch), or null. */
  readonly waiting: number;
  readonly nextDueAt: number | null;
}

const LOCK = 'obscura-outbox-flush';

interface LockManagerLike {
  request<T>(name: string, options: { ifAvailable: boolean }, run: (lock: unknown) => Promise<T>): Promise<T>;
}

/** Sends every due report once; returns what is left. Skips (sent 0) when another context holds the lock. */
export async function flushOutbox(
  db: LedgerDb,
  now: () => number = Date.now,
  send: typeof fetch = fetch,
): Promise<FlushResult> {
  const locks = (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks;
  const run = () => flushOnce(db, now, send);
  if (!locks) return run();
  return locks.request(LOCK, { ifAvailable: true }, async (lock) => (lock ? run() : summary(db, 0, 0)));
}

async function flushOnce(db: LedgerDb, now: () => number, send: typeof fetch): Promise<FlushResult> {
  let sent = 0;
  let failed = 0;
  const due = await db.getAllFromIndex('outbox', 'due', IDBKeyRange.upperBound(now()));
  for (const entry of due) {
    if (!isReport(entry.report) || entry.report.id !== entry.id) {
      // Never send what is not a report. It stays in the ledger as queued, for the person to see.
      await db.delete('outbox', entry.id);
      failed++;
      continue;
    }
    let ok = false;
    try {
      const res = await send(entry.destination, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': entry.id },
        body: JSON.stringify(entry.report),
        credentials: 'omit',
      });
      ok = res.ok;
    } catch {
      ok = false;
    }
    if (ok) {
      const tx = db.transaction(['outbox', 'ledger'], 'readwrite');
      const ledgerEntry = await tx.objectStore('ledger').get(entry.id);
      void tx.objectStore('outbox').delete(entry.id);
      if (ledgerEntry) void tx.objectStore('ledger').put({ ...ledgerEntry, state: 'delivered', deliveredAt: now() });
      await tx.done;
      sent++;
    } else {
      failed++;
      const attempts = entry.attempts + 1;
      await db.put('outbox', { ...entry, attempts, nextAttemptAt: now() + retryDelay(attempts, jitter()) });
    }
  }
  return summary(db, sent, failed);
}

async function summary(db: LedgerDb, sent: number, failed: number): Promise<FlushResult> {
  const waiting = await db.count('outbox');
  const first = await db.getFromIndex('outbox', 'due', IDBKeyRange.lowerBound(0));
  return { sent, failed, waiting, nextDueAt: first?.nextAttemptAt ?? null };
}

/** Jitter only spreads retries in time; it protects nothing, so it need not be cryptographic. */
function jitter(): number {
  const word = new Uint32Array(1);
  crypto.getRandomValues(word);
  return word[0]! / 4294967296;
}
