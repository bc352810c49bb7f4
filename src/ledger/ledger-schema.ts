import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { ObscuraError } from '../errors';
import type { Report } from '../report/schema';
import type { ScopeConfig } from './budget-policy';

/**
 * Where a report is on its way out: `queued` (charged, waiting for its first attempt),
 * `sending` (on the wire), `retrying` (a retryable failure; `nextAttemptAt` says when),
 * `delivered` (the collector stored it) or `rejected` (refused for good; `error` says why).
 * `delivered` and `rejected` are final: the report has left the outbox.
 */
export type DeliveryState = 'queued' | 'sending' | 'retrying' | 'delivered' | 'rejected';

/** One release: what left (or will leave), where to, at what cost. Never pixels or clean features. */
export interface LedgerEntry {
  readonly id: string;
  readonly scope: string;
  readonly time: number;
  readonly mechanism: string;
  readonly epsilon: number;
  readonly delta: number;
  readonly rho: number;
  readonly destination: string;
  state: DeliveryState;
  deliveredAt?: number;
  /** Failed attempts so far. */
  attempts?: number;
  /** When a `retrying` report is tried again (ms since the epoch). */
  nextAttemptAt?: number;
  /** The collector's (or the reporter's) error of the last failed attempt; the reason of a `rejected` report. */
  error?: { readonly name: string; readonly message: string; readonly status?: number };
  readonly payload: Report;
}

export interface OutboxEntry {
  readonly id: string;
  readonly destination: string;
  readonly report: Report;
  attempts: number;
  nextAttemptAt: number;
}

export interface MemoEntry {
  readonly key: string;
  readonly reportId: string;
}

export interface LedgerSchema extends DBSchema {
  scopes: { key: string; value: ScopeConfig };
  ledger: { key: string; value: LedgerEntry; indexes: { scope: string; state: DeliveryState } };
  outbox: { key: string; value: OutboxEntry; indexes: { due: number } };
  memo: { key: string; value: MemoEntry };
}

export type LedgerDb = IDBPDatabase<LedgerSchema>;

export const LEDGER_DB = 'obscura-ledger';
const VERSION = 1;

/** Opens (and creates or migrates) the ledger database; no IndexedDB is a StorageUnavailableError. */
export async function openLedgerDb(name = LEDGER_DB, onClose?: () => void): Promise<LedgerDb> {
  if (typeof indexedDB === 'undefined') {
    throw new ObscuraError(
      'StorageUnavailableError',
      'IndexedDB is not available (storage disabled or a private mode without it); nothing can be released',
    );
  }
  try {
    const db = await openDB<LedgerSchema>(name, VERSION, {
      // A newer version of the app in another tab needs this connection gone to migrate.
      blocking() {
        db.close();
        onClose?.();
      },
      upgrade(db, oldVersion) {
        // Migrations, one step per version.
        if (oldVersion < 1) {
          db.createObjectStore('scopes', { keyPath: 'name' });
          const ledger = db.createObjectStore('ledger', { keyPath: 'id' });
          ledger.createIndex('scope', 'scope');
          ledger.createIndex('state', 'state');
          const outbox = db.createObjectStore('outbox', { keyPath: 'id' });
          outbox.createIndex('due', 'nextAttemptAt');
          db.createObjectStore('memo', { keyPath: 'key' });
        }
      },
    });
    return db;
  } catch (err) {
    throw new ObscuraError(
      'StorageUnavailableError',
      `the privacy ledger could not be opened: ${(err as Error).message}`,
    );
  }
}

/** Maps an IndexedDB failure to the typed error the person can act on. */
export function storageError(err: unknown): unknown {
  const name = (err as { name?: string })?.name;
  if (name === 'QuotaExceededError')
    return new ObscuraError(
      'StorageFullError',
      'the browser storage is full; the release was not recorded and nothing was sent',
    );
  if (name === 'InvalidStateError' || name === 'UnknownError' || name === 'SecurityError') {
    return new ObscuraError(
      'StorageUnavailableError',
      `the privacy ledger is not available: ${(err as Error).message}`,
    );
  }
  return err;
}
