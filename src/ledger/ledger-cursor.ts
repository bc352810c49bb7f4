import { ObscuraError } from '../errors';
import type { LedgerEntry } from './ledger-schema';

/**
 * Where a ledger page ended: the last entry's time and id, which every paging index ends in
 * (ledger-indexes.ts). Callers pass it back as it is; the view also makes one for a page it trimmed.
 */
export function cursorOf(e: Pick<LedgerEntry, 'time' | 'id'>): string {
  return JSON.stringify([e.time, e.id]);
}

/** A cursor's time and id; InvalidParameterError for anything that is not one. */
export function parseCursor(text: string): [number, string] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed) && parsed.length === 2 && Number.isFinite(parsed[0]) && typeof parsed[1] === 'string')
    return parsed as [number, string];
  throw new ObscuraError(
    'InvalidParameterError',
    `expected a cursor from a ledger page's "next", got ${JSON.stringify(text)}`,
    { parameter: 'after' },
  );
}
