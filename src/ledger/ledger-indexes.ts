import type { IDBPTransaction, StoreNames } from 'idb';
import type { LedgerSchema } from './ledger-schema';

/**
 * The ledger's paging indexes (version 5). Each ends in [time, id], so one page resumes exactly
 * after the last entry shown, even among entries of the same millisecond; the filter, when there
 * is one, leads. An entry without a host (the app's own, and every entry from before hosts were
 * recorded) is in the time, scope and state indexes and simply absent from the host one.
 */
export const PAGE_INDEXES = {
  time: { name: 'time-id', keyPath: ['time', 'id'] },
  scope: { name: 'scope-time-id', keyPath: ['scope', 'time', 'id'] },
  host: { name: 'host-time-id', keyPath: ['host', 'time', 'id'] },
  state: { name: 'state-time-id', keyPath: ['state', 'time', 'id'] },
} as const;

/** Index key types, for the schema's declaration. */
export type PageIndexKeys = {
  'time-id': [number, string];
  'scope-time-id': [string, number, string];
  'host-time-id': [string, number, string];
  'state-time-id': [string, number, string];
};

type UpgradeTx = IDBPTransaction<LedgerSchema, StoreNames<LedgerSchema>[], 'versionchange'>;

/**
 * Version 5's paging step: the indexes above, built by IndexedDB from the entries already stored
 * (no entry is read or rewritten here).
 */
export function upgradeToV5Indexes(tx: UpgradeTx): void {
  const ledger = tx.objectStore('ledger');
  for (const { name, keyPath } of Object.values(PAGE_INDEXES)) {
    if (!ledger.indexNames.contains(name)) ledger.createIndex(name, [...keyPath]);
  }
}
