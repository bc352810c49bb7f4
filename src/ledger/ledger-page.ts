import type { IDBPIndex, IndexNames } from 'idb';
import { ObscuraError } from '../errors';
import { DEVICE } from './budget-policy';
import { PAGE_INDEXES } from './ledger-indexes';
import { cursorOf, parseCursor } from './ledger-cursor';
import { storageError, type DeliveryState, type LedgerDb, type LedgerEntry, type LedgerSchema } from './ledger-schema';

/** Which entries, newest first, and where to resume. Filters combine (all must hold). */
export interface LedgerQuery {
  /** The budget scope charged (a widget host's grant for its releases). */
  readonly scope?: string;
  /** The embedding page's origin; entries without one (the app's own) never match. */
  readonly host?: string;
  readonly state?: DeliveryState;
  /** Opaque cursor from the previous page's `next`; absent: the newest entries. */
  readonly after?: string;
  /** At most LEDGER_PAGE_MAX. */
  readonly limit: number;
}

/** One page of entries, newest first; `next` is absent on the last page; `total` counts the filter's entries. */
export interface LedgerPage {
  readonly entries: LedgerEntry[];
  readonly next?: string;
  readonly total: number;
}

export const LEDGER_PAGE_MAX = 500;

/** What sorts above every [time, id] of an index key (arrays sort above numbers and strings). */
const TOP: never[] = [];

/**
 * One page of the ledger by index, newest first, from where the last page ended; `total` is the running
 * sums' count (no filter) or an index count, so no call reads the whole store. With at most one filter the
 * page is three requests whatever its length: a key cursor from the newest end skips `limit` keys to where
 * the page begins, and one getAll reads the page's entries (a cursor would cost a round trip per entry).
 * With several filters, one index narrows a walk (host, else scope, else state) and the others are checked
 * on each entry; `total` then counts that index's range, both read in batches of WALK_BATCH entries.
 */
export async function ledgerPage(db: LedgerDb, query: LedgerQuery): Promise<LedgerPage> {
  const limit = checkedLimit(query.limit);
  const after = query.after === undefined ? undefined : parseCursor(query.after);
  const lead = (['host', 'scope', 'state'] as const).find((f) => query[f] !== undefined);
  const others = (['host', 'scope', 'state'] as const).filter((f) => f !== lead && query[f] !== undefined);
  const matches = (e: LedgerEntry) => others.every((f) => e[f] === query[f]);
  try {
    const tx = db.transaction(['ledger', 'totals'], 'readonly');
    const index = tx.objectStore('ledger').index(lead ? PAGE_INDEXES[lead].name : PAGE_INDEXES.time.name);
    const prefix = lead ? [query[lead]!] : [];
    const whole = IDBKeyRange.bound(prefix, [...prefix, TOP]);
    const range = after ? IDBKeyRange.bound(prefix, [...prefix, ...after], false, true) : whole;
    // Unfiltered, the running sums hold the count (a store count walks every entry in Chromium); asked
    // at once, so its answer comes with the page's.
    const counted =
      others.length > 0
        ? countMatching(index, whole, matches, indexKeyOf(PAGE_INDEXES[lead!].keyPath))
        : lead
          ? index.count(whole)
          : tx
              .objectStore('totals')
              .get(DEVICE)
              .then(async (t) => t?.entries ?? tx.objectStore('ledger').count());
    const { entries, more } =
      others.length > 0 ? await walkMatching(index, range, limit, matches) : await newestIn(index, range, limit);
    const total = await counted;
    const last = entries.at(-1);
    return { entries, total, ...(more && last ? { next: cursorOf(last) } : {}) };
  } catch (err) {
    throw storageError(err);
  }
}

type LedgerIndex = IDBPIndex<
  LedgerSchema,
  ('ledger' | 'totals')[],
  'ledger',
  IndexNames<LedgerSchema, 'ledger'>,
  'readonly'
>;

/** The newest `limit` entries of `range`: a key cursor skips to the page's far end, one getAll reads it. */
async function newestIn(
  index: LedgerIndex,
  range: IDBKeyRange,
  limit: number,
): Promise<{ entries: LedgerEntry[]; more: boolean }> {
  const newest = await index.openKeyCursor(range, 'prev');
  if (!newest) return { entries: [], more: false };
  // The first key past the page (the next page's newest), if there is one: the page lies above it.
  const beyond = await newest.advance(limit);
  const page = beyond ? IDBKeyRange.bound(beyond.key, range.upper, true, range.upperOpen) : range;
  const entries = await index.getAll(page, limit);
  return { entries: entries.reverse(), more: beyond !== null };
}

/**
 * How many entries a filtered walk reads per request. One getAll of a few hundred entries costs about what
 * a cursor's single step does (a round trip to the browser's IndexedDB), so a search over 10^5 entries is
 * hundreds of requests instead of 10^5.
 */
const WALK_BATCH = 500;

/** An index's key of an entry: the index's key path read off the entry (each path ends in [time, id]). */
type KeyOf = (e: LedgerEntry) => IDBValidKey;

function indexKeyOf(keyPath: readonly (keyof LedgerEntry)[]): KeyOf {
  return (e) => keyPath.map((k) => e[k]) as IDBValidKey;
}

/**
 * Entries of `range` that pass `matches`, newest first, until `limit` are found: read in batches from the
 * newest end (a key cursor skips a batch's length to where it begins, one getAll reads it, as newestIn).
 */
async function walkMatching(
  index: LedgerIndex,
  range: IDBKeyRange,
  limit: number,
  matches: (e: LedgerEntry) => boolean,
): Promise<{ entries: LedgerEntry[]; more: boolean }> {
  const entries: LedgerEntry[] = [];
  let rest: IDBKeyRange | null = range;
  while (rest) {
    const newest = await index.openKeyCursor(rest, 'prev');
    if (!newest) break;
    const beyond = await newest.advance(WALK_BATCH);
    const batch = beyond ? IDBKeyRange.bound(beyond.key, rest.upper, true, rest.upperOpen) : rest;
    for (const e of (await index.getAll(batch, WALK_BATCH)).reverse()) {
      if (!matches(e)) continue;
      if (entries.length === limit) return { entries, more: true };
      entries.push(e);
    }
    // What is left lies below the batch, down to and with the key that bounded it.
    rest = beyond ? IDBKeyRange.bound(range.lower, beyond.key, range.lowerOpen, false) : null;
  }
  return { entries, more: false };
}

/** How many entries of `range` pass `matches`, read in batches from the oldest end. */
async function countMatching(
  index: LedgerIndex,
  range: IDBKeyRange,
  matches: (e: LedgerEntry) => boolean,
  keyOf: KeyOf,
): Promise<number> {
  let n = 0;
  let rest = range;
  for (;;) {
    const batch = await index.getAll(rest, WALK_BATCH);
    for (const e of batch) if (matches(e)) n++;
    if (batch.length < WALK_BATCH) return n;
    rest = IDBKeyRange.bound(keyOf(batch.at(-1)!), range.upper, true, range.upperOpen);
  }
}

function checkedLimit(limit: number): number {
  if (Number.isInteger(limit) && limit >= 1 && limit <= LEDGER_PAGE_MAX) return limit;
  throw new ObscuraError(
    'InvalidParameterError',
    `expected a page limit from 1 to ${LEDGER_PAGE_MAX}, got ${String(limit)}`,
    { parameter: 'limit' },
  );
}
