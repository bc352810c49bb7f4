import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import { totalsFrom, type ExpiryRow, type TotalsRecord } from './running-totals';
import { ObscuraError } from '../errors';
import type { Report } from '../report/schema';
import type { Guarantee } from '../privacy/aggregate/plan';
import type { AggregateScope } from './aggregate-scope';
import { commitmentOf, type AggregateCommitment } from './share-commitment';
import { upgradeToV5Indexes, type PageIndexKeys } from './ledger-indexes';
import {
  DEFAULT_DEVICE_BUDGET,
  DEFAULT_SCOPE,
  DEVICE,
  MAX_TOTAL_EPSILON,
  MAX_WINDOW_MS,
  MIN_WINDOW_MS,
  type BudgetChange,
  type ScopeConfig,
} from './budget-policy';
import { AGGREGATOR_ROLES, type AggregatorRole, type ShareBody } from '../report/share-body';

/**
 * Where a report is on its way out: `queued` (charged, waiting for its first attempt),
 * `sending` (on the wire), `retrying` (a retryable failure; `nextAttemptAt` says when),
 * `delivered` (the collector stored it), `rejected` (refused for good; `error` says why) or
 * `withdrawn` (never sent: the collector's task for its scope changed while it waited, so it
 * could never be accepted; `error` says how; its charge no longer counts, see reporter.ts).
 * `delivered`, `rejected` and `withdrawn` are final: the report has left the outbox.
 */
export type DeliveryState = 'queued' | 'sending' | 'retrying' | 'delivered' | 'rejected' | 'withdrawn';

/** One release: what left (or will leave), where to, at what cost. Never pixels or clean features. */
export interface LedgerEntry {
  readonly id: string;
  /** The budget scope charged: the report's own scope, or for a widget host's release that host's one grant. */
  readonly scope: string;
  /** The origin of the page that embedded the widget, for a host's release; absent for the app's own. */
  readonly host?: string;
  readonly time: number;
  readonly mechanism: string;
  readonly epsilon: number;
  readonly delta: number;
  readonly rho: number;
  /** The charge on the accountant's grid (absent in entries from before version 2: then ⌈ε⌉ of the grid). */
  readonly epsilonUnits?: number;
  readonly rhoUnits?: number;
  /** Additive δ on its grid (aggregate-only releases); absent: 0. */
  readonly deltaUnits?: number;
  readonly destination: string;
  state: DeliveryState;
  deliveredAt?: number;
  /** Failed attempts so far. */
  attempts?: number;
  /** When a `retrying` report is tried again (ms since the epoch). */
  nextAttemptAt?: number;
  /** The collector's (or the reporter's) error of the last failed attempt; the reason of a `rejected` report. */
  error?: DeliveryError;
  /**
   * The report, or for an aggregate-only release the commitment to its two shares (their SHA-256
   * and destinations): the shares themselves wait in the outbox only until their aggregator answers.
   */
  readonly payload: Report | AggregateCommitment;
  /** The collector's task this report was checked against before it was charged (release/task-source.ts). */
  readonly task?: TaskStamp;
  /** Aggregate-only releases: both guarantees and each share's own delivery. */
  aggregate?: AggregateRecord;
}

export interface DeliveryError {
  readonly name: string;
  readonly message: string;
  readonly status?: number;
}

export { AGGREGATOR_ROLES, type AggregatorRole };

export type { ShareBody };

/**
 * What an aggregate-only release sends: under one report id, each aggregator its own share and nothing
 * else. It goes into the outbox as two entries and nowhere else (the ledger keeps an AggregateCommitment).
 */
export interface AggregateSubmission {
  readonly kind: 'aggregate-shares';
  /** The report id (the VDAF nonce, base64url), which is also the ledger entry's id. */
  readonly id: string;
  readonly leader: { readonly url: string; readonly body: ShareBody };
  readonly helper: { readonly url: string; readonly body: ShareBody };
}

/** One share's way out, with the same states as a report's. */
export interface ShareDelivery {
  readonly destination: string;
  state: DeliveryState;
  attempts?: number;
  deliveredAt?: number;
  nextAttemptAt?: number;
  error?: DeliveryError;
}

export interface AggregateRecord {
  /** Holds if the two aggregators do not collude, for batches of at least nMin: the budget is charged its ε. */
  readonly central: Guarantee;
  /** What holds if they collude: this person's own noise share alone. */
  readonly local: Guarantee;
  readonly scope: AggregateScope;
  readonly deliveries: Record<AggregatorRole, ShareDelivery>;
  /** A training round's share (federated codebooks): which round, on which head version, and how it ended. */
  train?: TrainParticipation;
}

/**
 * What a ledger row of a training share says beyond an aggregate-only release's. Its central
 * guarantee holds if the aggregators do not collude and the round held n_min honest devices.
 */
export interface TrainParticipation {
  /** The collector that declared the task, the task (its scope) and the round the share is for. */
  readonly collector: string;
  readonly task: string;
  readonly round: number;
  /** The head version the update was computed on, with its codebook id and hash. */
  readonly codebookVersion: number;
  readonly codebook: string;
  readonly codebookHash: string;
  /** How many of the person's examples the update came from (nothing else of them is kept here). */
  readonly examples: number;
  /**
   * The round's outcome once the device has read it: released (summed with `count` devices into
   * `version`), or expired (it never reached n_min: nothing was released, the share is never summed).
   */
  outcome?: TrainOutcome;
}

export interface TrainOutcome {
  readonly state: 'released' | 'expired';
  readonly count?: number;
  readonly version?: number;
  /** When the device read it (ms since the epoch). */
  readonly seenAt: number;
}

/**
 * The entry's state from its two shares': delivered only when both are; rejected when either
 * is (a lone share never counts); otherwise the most advanced of sending, retrying, queued.
 */
export function combinedState(deliveries: Record<AggregatorRole, ShareDelivery>): DeliveryState {
  const states = AGGREGATOR_ROLES.map((r) => deliveries[r].state);
  if (states.every((s) => s === 'delivered')) return 'delivered';
  for (const s of ['rejected', 'sending', 'retrying'] as const) if (states.includes(s)) return s;
  return 'queued';
}

/** Which declared task a report was checked against: where it was read and its version ("sha256:…"). */
export interface TaskStamp {
  readonly url: string;
  readonly version: string;
}

/** A report for a collector: POSTed as JSON. */
export interface ReportOutboxEntry {
  readonly id: string;
  readonly destination: string;
  readonly report: Report;
  /** The task it was checked against: checked again before each attempt, withdrawn unsent if it no longer matches. */
  readonly task?: TaskStamp;
  attempts: number;
  nextAttemptAt: number;
}

/** One aggregator's share of an aggregate-only release: PUT to `destination`; `id` is `${entryId}.${role}`. */
export interface ShareOutboxEntry {
  readonly id: string;
  readonly entryId: string;
  readonly role: AggregatorRole;
  readonly destination: string;
  readonly share: ShareBody;
  attempts: number;
  nextAttemptAt: number;
}

export type OutboxEntry = ReportOutboxEntry | ShareOutboxEntry;

export function isShareEntry(entry: OutboxEntry): entry is ShareOutboxEntry {
  return 'share' in entry;
}

/** A memoized release: `key` is memoKey's HMAC (memo-key.ts), which names no content without the device's key. */
export interface MemoEntry {
  readonly key: string;
  readonly reportId: string;
}

export interface LedgerSchema extends DBSchema {
  scopes: { key: string; value: ScopeConfig };
  ledger: {
    key: string;
    value: LedgerEntry;
    indexes: { scope: string; state: DeliveryState } & PageIndexKeys;
  };
  outbox: { key: string; value: OutboxEntry; indexes: { due: number } };
  memo: { key: string; value: MemoEntry; indexes: { report: string } };
  /** Keys made on this device, stored as non-extractable CryptoKey objects (the memo's HMAC key). */
  deviceKeys: { key: string; value: CryptoKey };
  /** Every budget change (device or scope), kept forever: the ledger lists them beside the releases. */
  budgetChanges: { key: number; value: BudgetChange; indexes: { target: string } };
  /** Each budget's running sums (running-totals.ts), by target: the device's and each scope's. */
  totals: { key: string; value: TotalsRecord };
  /** When each charge stops counting against each target, for the running sums. */
  expiries: { key: [string, string]; value: ExpiryRow; indexes: { due: [string, number] } };
}

/** The budgets a new ledger starts with: the app's configuration, written when the database is created. */
export interface InitialBudgets {
  readonly device: { readonly totalEpsilon: number; readonly window: ScopeConfig['window'] };
  readonly scopes: readonly ScopeConfig[];
}

export const DEFAULT_BUDGETS: InitialBudgets = { device: DEFAULT_DEVICE_BUDGET, scopes: [DEFAULT_SCOPE] };

export type LedgerDb = IDBPDatabase<LedgerSchema>;

export const LEDGER_DB = 'obscura-ledger';
const VERSION = 5;

/** Opens (and creates or migrates) the ledger database; no IndexedDB is a StorageUnavailableError. */
export async function openLedgerDb(
  name = LEDGER_DB,
  onClose?: () => void,
  initial: InitialBudgets = DEFAULT_BUDGETS,
): Promise<LedgerDb> {
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
      upgrade(db, oldVersion, _newVersion, tx) {
        // Migrations, one step per version; `steps` are the reads earlier steps still complete.
        const steps: Promise<unknown>[] = [];
        if (oldVersion < 1) {
          db.createObjectStore('scopes', { keyPath: 'name' });
          const ledger = db.createObjectStore('ledger', { keyPath: 'id' });
          ledger.createIndex('scope', 'scope');
          ledger.createIndex('state', 'state');
          const outbox = db.createObjectStore('outbox', { keyPath: 'id' });
          outbox.createIndex('due', 'nextAttemptAt');
          db.createObjectStore('memo', { keyPath: 'key' });
        }
        if (oldVersion < 2) {
          // Budgets become explicit: the device budget and the configured scopes are recorded as
          // changes. A ledger from version 1 keeps its scopes (and all their charges, which now
          // also count against the device); scopes it created on the fly are not re-created.
          const changes = db.createObjectStore('budgetChanges', { keyPath: 'seq', autoIncrement: true });
          changes.createIndex('target', 'target');
          const time = Date.now();
          void changes.add({ time, target: DEVICE, ...initial.device });
          if (oldVersion < 1) {
            for (const scope of initial.scopes) {
              void tx.objectStore('scopes').put(scope);
              void changes.add({ time, target: scope.name, totalEpsilon: scope.totalEpsilon, window: scope.window });
            }
          } else {
            steps.push(
              tx
                .objectStore('scopes')
                .getAll()
                .then((scopes) => {
                  const known = new Set(scopes.map((s) => s.name));
                  for (const s of [...scopes.map(migratedScope), ...initial.scopes.filter((s) => !known.has(s.name))]) {
                    void tx.objectStore('scopes').put(s);
                    void changes.add({ time, target: s.name, totalEpsilon: s.totalEpsilon, window: s.window });
                  }
                }),
            );
          }
        }
        // Version 3 stores nothing new by schema: scopes may be aggregate-only and the outbox may hold
        // aggregator shares, which code of version 2 would refuse as invalid reports. The version
        // number is what keeps such code (in a tab not yet reloaded) away from this ledger.
        if (oldVersion < 4) {
          db.createObjectStore('deviceKeys');
          if (oldVersion >= 1) {
            // Memo keys were a plain hash of the pixels, which tells anyone reading this database
            // whether a known photo was processed. A memo only saves a release's cost when the same
            // image is released again, so they are dropped rather than kept: keyed ones replace them.
            void tx.objectStore('memo').clear();
            steps.push(
              tx
                .objectStore('ledger')
                .getAll()
                .then((entries) => {
                  for (const e of entries) {
                    const upgraded = withoutShares(e);
                    if (upgraded) void tx.objectStore('ledger').put(upgraded);
                  }
                }),
            );
          }
        }
        if (oldVersion < 5) upgradeToV5Indexes(tx);
        if (oldVersion < 5) upgradeToV5Totals(db, tx, Promise.all(steps));
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

/**
 * Version 5: the budgets become running sums (running-totals.ts), computed here once from the
 * entries and changes the earlier steps leave; memos get an index by report, so a withdrawal finds
 * its memo without reading them all.
 */
function upgradeToV5Totals(
  db: IDBPDatabase<LedgerSchema>,
  tx: IDBPTransaction<LedgerSchema, StoreNames<LedgerSchema>[], 'versionchange'>,
  earlier: Promise<unknown>,
): void {
  db.createObjectStore('totals', { keyPath: 'target' });
  const expiries = db.createObjectStore('expiries', { keyPath: ['target', 'id'] });
  expiries.createIndex('due', ['target', 'expiry']);
  tx.objectStore('memo').createIndex('report', 'reportId');
  // The sums are computed from whatever the earlier steps left, even if one of them failed: a ledger
  // without them would refuse every release.
  void earlier
    .catch(() => undefined)
    .then(async () => {
      const [entries, changes] = await Promise.all([
        tx.objectStore('ledger').getAll(),
        tx.objectStore('budgetChanges').getAll(),
      ]);
      const { records, rows } = totalsFrom(entries, changes);
      for (const r of records) void tx.objectStore('totals').put(r);
      for (const row of rows) void tx.objectStore('expiries').put(row);
    });
}

/**
 * A version-3 aggregate entry held both shares. Its payload becomes their commitment; a share not
 * yet delivered stays deliverable, as it always also waited in the outbox, which keeps it until
 * its aggregator answers. Undefined for an entry that needs no change.
 */
function withoutShares(e: LedgerEntry): LedgerEntry | undefined {
  // Entries of version 1 carry no payload at all.
  const payload = e.payload as Report | AggregateCommitment | AggregateSubmission | undefined;
  if (typeof payload !== 'object' || payload === null || !('kind' in payload)) return undefined;
  if (payload.kind !== 'aggregate-shares') return undefined;
  return { ...e, payload: commitmentOf(payload) };
}

/** A version-1 scope brought within today's limits (it could have any total and a 1 ms window). */
function migratedScope(s: ScopeConfig): ScopeConfig {
  const total = Number.isFinite(s.totalEpsilon) ? Math.min(Math.max(0, s.totalEpsilon), MAX_TOTAL_EPSILON) : 0;
  const window: ScopeConfig['window'] =
    s.window.kind === 'rolling'
      ? { kind: 'rolling', ms: Math.min(Math.max(MIN_WINDOW_MS, Math.round(s.window.ms) || 0), MAX_WINDOW_MS) }
      : { kind: 'lifetime' };
  return { name: s.name, totalEpsilon: total, window };
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
