/**
 * Delivery of aggregate-only releases: each aggregator gets its own share by
 * `PUT {aggregator}/reports/{reportId}` with exactly `{publicShare, inputShare}`, no
 * credentials and no other header, so neither learns anything the other holds. The ledger
 * entry tracks both deliveries and is delivered only when both are; a share refused for
 * good makes the other pointless (a lone share never counts), so that one is not sent.
 */
import {
  AGGREGATOR_ROLES,
  combinedState,
  type AggregatorRole,
  type LedgerDb,
  type LedgerEntry,
  type ShareDelivery,
  type ShareOutboxEntry,
} from '../ledger/ledger-schema';
import { describeError } from '../errors';
import { parseShareBody, SHARE_REPORT_ID, shareBodySchema } from '../report/share-body';
import { retryWait, type AttemptOutcome, type FailureReason, type RetryPolicy } from './delivery';

/** The request: the share's two fields and nothing else. */
export function shareRequest(entry: ShareOutboxEntry): RequestInit {
  return {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(shareBodySchema.parse(entry.share)),
    credentials: 'omit',
  };
}

/** Why an outbox entry is not a share that may be sent, or undefined. */
export function invalidShareReason(entry: ShareOutboxEntry): FailureReason | undefined {
  const bad = (message: string): FailureReason => ({ name: 'InvalidReportError', message });
  if (!AGGREGATOR_ROLES.includes(entry.role)) return bad(`unknown aggregator role ${String(entry.role)}`);
  if (!SHARE_REPORT_ID.test(entry.entryId) || entry.id !== `${entry.entryId}.${entry.role}`)
    return bad(`the outbox entry ${entry.id} is not a share of one report`);
  try {
    parseShareBody(entry.share);
  } catch (err) {
    return describeError(err);
  }
  if (!URL.canParse(entry.destination) || !entry.destination.endsWith(`/reports/${entry.entryId}`))
    return bad(`a share goes to {aggregator}/reports/${entry.entryId}, not ${entry.destination}`);
  return undefined;
}

/** The entry with one share on the wire. */
export function shareSending(e: LedgerEntry, role: AggregatorRole): LedgerEntry {
  if (!e.aggregate) return e;
  return withDeliveries(e, {
    ...e.aggregate.deliveries,
    [role]: { ...e.aggregate.deliveries[role], state: 'sending' },
  });
}

function withDeliveries(e: LedgerEntry, deliveries: Record<AggregatorRole, ShareDelivery>): LedgerEntry {
  const { nextAttemptAt: _n, deliveredAt: _d, ...rest } = e;
  const state = combinedState(deliveries);
  const all = AGGREGATOR_ROLES.map((r) => deliveries[r]);
  const retries = all.filter((d) => d.state === 'retrying' && d.nextAttemptAt !== undefined);
  const failed = all.find((d) => d.state === 'rejected' && d.error) ?? all.find((d) => d.error);
  return {
    ...rest,
    state,
    attempts: all.reduce((n, d) => n + (d.attempts ?? 0), 0),
    ...(state === 'delivered' ? { deliveredAt: Math.max(...all.map((d) => d.deliveredAt ?? 0)) } : {}),
    ...(retries.length > 0 ? { nextAttemptAt: Math.min(...retries.map((d) => d.nextAttemptAt!)) } : {}),
    ...(failed?.error && state !== 'delivered' ? { error: failed.error } : {}),
    aggregate: { ...e.aggregate!, deliveries },
  };
}

/** One attempt's outcome, in one transaction over the outbox and the ledger. */
export async function recordShare(
  db: LedgerDb,
  entry: ShareOutboxEntry,
  outcome: AttemptOutcome,
  at: number,
  policy: RetryPolicy,
): Promise<void> {
  const tx = db.transaction(['outbox', 'ledger'], 'readwrite');
  const outbox = tx.objectStore('outbox');
  const ledger = tx.objectStore('ledger');
  const current = await ledger.get(entry.entryId);
  const attempts = entry.attempts + (outcome.kind === 'delivered' ? 0 : 1);
  const {
    nextAttemptAt: _,
    error: _e,
    ...before
  } = current?.aggregate?.deliveries[entry.role] ?? {
    destination: entry.destination,
    state: 'queued' as const,
  };
  let delivery: ShareDelivery;
  const other: AggregatorRole = entry.role === 'leader' ? 'helper' : 'leader';
  let otherDelivery = current?.aggregate?.deliveries[other];
  if (outcome.kind === 'retry') {
    const nextAttemptAt = at + retryWait(attempts, outcome.retryAfterMs, policy);
    void outbox.put({ ...entry, attempts, nextAttemptAt });
    delivery = { ...before, state: 'retrying', attempts, nextAttemptAt, error: { ...outcome.reason } };
  } else {
    void outbox.delete(entry.id);
    if (outcome.kind === 'delivered') {
      delivery = { ...before, state: 'delivered', attempts, deliveredAt: at };
    } else {
      delivery = { ...before, state: 'rejected', attempts, error: { ...outcome.reason } };
      if (otherDelivery && otherDelivery.state !== 'delivered' && otherDelivery.state !== 'rejected') {
        void outbox.delete(`${entry.entryId}.${other}`);
        const { nextAttemptAt: _o, ...rest } = otherDelivery;
        otherDelivery = {
          ...rest,
          state: 'rejected',
          error: { name: 'NotSentError', message: `the ${entry.role} refused its share; this one alone never counts` },
        };
      }
    }
  }
  if (current?.aggregate && otherDelivery) {
    const deliveries = { [entry.role]: delivery, [other]: otherDelivery } as Record<AggregatorRole, ShareDelivery>;
    void ledger.put(withDeliveries(current, deliveries));
  }
  await tx.done;
}
