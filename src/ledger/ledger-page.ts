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
 * One page of the ledger by index, newest first: a cursor walks at most `limit` matching entries from
 * where the last page ended, and `total` is an index count, so no call reads the whole store. With
 * several filters, one index narrows the walk (host, else scope, else state) and the others are checked
 * on each entry; `total` then counts that index's range entry by entry.
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
    const entries: LedgerEntry[] = [];
    let cursor = await index.openCursor(range, 'prev');
    let more = false;
    while (cursor) {
      if (matches(cursor.value)) {
        if (entries.length === limit) {
          more = true;
          break;
        }
        entries.push(cursor.value);
      }
      cursor = await cursor.continue();
    }
    // Unfiltered, the running sums hold the count (a store count walks every entry in Chromium).
    const total =
      others.length > 0
        ? await countMatching(index, whole, matches)
        : lead
          ? await index.count(whole)
          : ((await tx.objectStore('totals').get(DEVICE))?.entries ?? (await tx.objectStore('ledger').count()));
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

async function countMatching(
  index: LedgerIndex,
  range: IDBKeyRange,
  matches: (e: LedgerEntry) => boolean,
): Promise<number> {
  let n = 0;
  for (let c = await index.openCursor(range); c; c = await c.continue()) if (matches(c.value)) n++;
  return n;
}

function checkedLimit(limit: number): number {
  if (Number.isInteger(limit) && limit >= 1 && limit <= LEDGER_PAGE_MAX) return limit;
  throw new ObscuraError(
    'InvalidParameterError',
    `expected a page limit from 1 to ${LEDGER_PAGE_MAX}, got ${String(limit)}`,
    { parameter: 'limit' },
  );
}
