/**
 * A large ledger for the ledger view's test and bench, written straight into the real store (the
 * release path would take hours for 10^5 entries): each entry has a LedgerEntry's shape, with a small
 * k-RR category report as its payload. Bundled into the page (serveBundledModules) and imported by the
 * test alike, so both sides agree on what entry i is.
 */
import { unwrap } from 'idb';
import type { LedgerDb, LedgerEntry } from '../../../src/ledger/ledger-schema';

export const FIXTURE_T0 = Date.UTC(2026, 0, 1);
export const SHOP = 'https://www.shop.example';
export const NEWS = 'https://news.example';

/** Entry i, older for smaller i: three scopes (one a host's grant), two hosts, states mostly delivered. */
export function fixtureEntry(i: number): LedgerEntry {
  const id = `r${String(i).padStart(6, '0')}`;
  const kind = i % 3;
  const host = kind === 2 ? (i % 4 === 0 ? NEWS : SHOP) : undefined;
  const scope =
    kind === 0
      ? 'default'
      : kind === 1
        ? 'survey'
        : `grant:${host === NEWS ? 'https://news.example' : 'https://shop.example'}`;
  const state = i % 10 === 0 ? 'rejected' : i % 10 === 1 ? 'queued' : 'delivered';
  return {
    id,
    scope,
    ...(host ? { host } : {}),
    time: FIXTURE_T0 + i * 1000,
    mechanism: 'krr',
    epsilon: 1,
    delta: 0,
    rho: 0,
    epsilonUnits: 1024,
    rhoUnits: 0,
    destination: 'http://127.0.0.1:9/reports',
    state,
    ...(state === 'delivered' ? { deliveredAt: FIXTURE_T0 + i * 1000 + 20 } : {}),
    ...(state === 'rejected' ? { error: { name: 'ReportRejectedError', message: 'refused', status: 422 } } : {}),
    payload: {
      v: 1,
      id,
      scope: kind === 2 ? 'answers' : scope,
      time: '2026-01-01T00:00:00Z',
      mechanism: { name: 'krr', epsilon: 1, delta: 0 },
      codebook: { id: 'fashion-10', hash: 'sha256:0' },
      value: i % 10,
    } as unknown as LedgerEntry['payload'],
  };
}

/**
 * Writes entries 0..n-1 in transactions of 10 000 puts, on IndexedDB's own objects: idb's wrapper would
 * make a promise and add and remove two listeners for each put, which at 10^5 entries is most of the page's
 * work in the fill.
 */
export async function fillLedger(db: LedgerDb, n: number): Promise<void> {
  const raw = unwrap(db);
  for (let from = 0; from < n; from += 10_000) {
    const tx = raw.transaction('ledger', 'readwrite');
    const store = tx.objectStore('ledger');
    for (let i = from; i < Math.min(n, from + 10_000); i++) store.put(fixtureEntry(i));
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onabort = () => reject(tx.error ?? new Error('the fixture transaction was aborted'));
    });
  }
  // The running sums count the entries (the view's unfiltered total reads that count): keep it true.
  const tx = db.transaction('totals', 'readwrite');
  const device = await tx.store.get('@device');
  if (device) await tx.store.put({ ...device, entries: (device.entries ?? 0) + n });
  await tx.done;
}

/** The object stores of a ledger at version 5, sorted: what every upgrade must end with. */
export const LEDGER_V5_STORES = [
  'budgetChanges',
  'deviceKeys',
  'expiries',
  'ledger',
  'memo',
  'outbox',
  'scopes',
  'totals',
];
