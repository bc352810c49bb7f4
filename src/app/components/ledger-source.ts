import {
  ledgerCursorOf,
  parseLedgerCursor,
  type LedgerEntry,
  type LedgerPage,
  type LedgerQuery,
} from '../../release/index';

/** Where the ledger view reads its pages: the release worker's `ledgerPage`, or entries already held. */
export type LedgerSource = (query: LedgerQuery) => Promise<LedgerPage>;

/** Newest first, as the ledger's pages are: time, then id, both descending. */
export function newestFirst(a: LedgerEntry, b: LedgerEntry): number {
  return b.time - a.time || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** Whether an entry passes a query's filters. */
export function matchesQuery(e: LedgerEntry, q: Omit<LedgerQuery, 'limit'>): boolean {
  return (
    (q.scope === undefined || e.scope === q.scope) &&
    (q.host === undefined || e.host === q.host) &&
    (q.state === undefined || e.state === q.state)
  );
}

/**
 * Pages over entries the caller already holds (the widget frame's one grant), with the same cursors
 * and order as the release worker's `ledgerPage`.
 */
export function arraySource(entries: readonly LedgerEntry[]): LedgerSource {
  const sorted = [...entries].sort(newestFirst);
  return async (q) => {
    const matching = sorted.filter((e) => matchesQuery(e, q));
    let from = 0;
    if (q.after !== undefined) {
      const [time, id] = parseLedgerCursor(q.after);
      const start = matching.findIndex((e) => newestFirst({ time, id } as LedgerEntry, e) < 0);
      from = start < 0 ? matching.length : start;
    }
    const page = matching.slice(from, from + q.limit);
    const more = from + q.limit < matching.length;
    return { entries: page, total: matching.length, ...(more ? { next: ledgerCursorOf(page.at(-1)!) } : {}) };
  };
}
