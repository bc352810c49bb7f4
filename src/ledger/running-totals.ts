/**
 * The budgets as running sums, kept in the ledger database beside the entries and updated in the
 * same transactions: a release adds its charge, a withdrawal subtracts it, a budget change records
 * its target's total and window. Nothing here reads the whole ledger, so a release costs the same
 * at 10 or 100 000 entries.
 *
 * Each target (the device and every scope) has one `totals` record: the sufficient statistics of its
 * charges still counting and of every charge ever made (accountant.ts), and how many still count.
 * Each charge has one `expiries` row per target it counts against, keyed by target and report id and
 * indexed by (target, expiry): a charge whose window has passed is taken out of the counting sums
 * the next time that target is used (amortized: each row once), by a range read of that index.
 * A budget change at c moves every charge still counting to max(its expiry, c + W′), or to never
 * for a lifetime window (budget-policy.ts): a range update of the same index, done only by changes.
 */
import type { IDBPTransaction, StoreNames } from 'idb';
import { addCharge, emptyTotals, type ChargeTotals } from '../privacy/accountant';
import {
  chargeExpiry,
  currentConfig,
  DEFAULT_DEVICE_BUDGET,
  DEVICE,
  expiryUnder,
  orderedChanges,
  statusFromSums,
  statusOfSums,
  type BudgetChange,
  type BudgetOverview,
  type Charge,
  type TargetState,
  type WindowPolicy,
} from './budget-policy';
import { chargeOf, countingCharges } from './charges';
import { DELTA_TARGET } from '../privacy/limits';
import type { LedgerEntry, LedgerSchema } from './ledger-schema';

/** One target's running sums and current configuration. */
export interface TotalsRecord {
  /** DEVICE or a scope's name. */
  readonly target: string;
  readonly totalEpsilon: number;
  readonly window: WindowPolicy;
  /** Charges that still count (not withdrawn; expired ones leave when the target is next used). */
  readonly counting: ChargeTotals;
  /** Every charge ever made against it, withdrawn ones excepted: the cumulative ε. */
  readonly all: ChargeTotals;
  /** How many charges `counting` holds. */
  readonly releases: number;
  /** The device's record only: the number of ledger entries, and the latest time recorded (charge or change). */
  readonly entries?: number;
  readonly latest?: number;
}

/** One charge against one target, and when it stops counting there (Infinity: never, under a lifetime window). */
export interface ExpiryRow {
  readonly target: string;
  readonly id: string;
  readonly expiry: number;
  readonly epsilonUnits: number;
  readonly rhoUnits: number;
  readonly deltaUnits?: number;
}

type Tx<Mode extends IDBTransactionMode> = IDBPTransaction<LedgerSchema, ArrayLike<StoreNames<LedgerSchema>>, Mode>;
type AnyTx = Tx<'readonly'> | Tx<'readwrite'>;

/** A target's sums at `now`, from its record and its expiries (in a readwrite transaction the expired rows go). */
export interface LoadedTarget {
  record: TotalsRecord;
  readonly state: TargetState;
}

function newRecord(target: string, config: { totalEpsilon: number; window: WindowPolicy }): TotalsRecord {
  return {
    target,
    totalEpsilon: config.totalEpsilon,
    window: config.window,
    counting: emptyTotals(),
    all: emptyTotals(),
    releases: 0,
  };
}

function copy(record: TotalsRecord): TotalsRecord {
  return {
    ...record,
    counting: { ...record.counting, pure: new Map(record.counting.pure) },
    all: { ...record.all, pure: new Map(record.all.pure) },
  };
}

/**
 * The record of `target` at `now` with every charge whose expiry has come taken out of its counting sums;
 * undefined for a target never created. Readwrite: the expired rows are deleted (the caller stores the
 * record); readonly: they are only left out. `stored` is the target's record when the caller has read it
 * in this transaction already.
 */
export async function loadTarget(
  tx: AnyTx,
  target: string,
  now: number,
  stored?: Promise<TotalsRecord | undefined>,
): Promise<LoadedTarget | undefined> {
  const found = await (stored ?? tx.objectStore('totals').get(target));
  if (!found) {
    if (target !== DEVICE) return undefined;
    // The device always has a budget; a ledger with no device change uses the default one.
    return loaded(newRecord(DEVICE, DEFAULT_DEVICE_BUDGET), null);
  }
  const record = copy(found);
  // One cursor over the target's rows in order of expiry: those due by `now` leave the counting sums, and
  // the first one after `now` is the next refill (a release opens one cursor per target, however full).
  const due = tx.objectStore('expiries').index('due');
  let cursor = await due.openCursor(IDBKeyRange.bound([target, -Infinity], [target, Infinity]));
  let releases = record.releases;
  while (cursor && cursor.value.expiry <= now) {
    addCharge(record.counting, cursor.value, -1);
    releases--;
    if (tx.mode === 'readwrite') await (cursor as unknown as { delete(): Promise<void> }).delete();
    cursor = await cursor.continue();
  }
  // The rows deleted leave the stored sums in the same transaction, whatever the caller does next.
  if (releases !== record.releases && tx.mode === 'readwrite')
    void (tx as Tx<'readwrite'>).objectStore('totals').put({ ...record, releases });
  const refillsAt = cursor && Number.isFinite(cursor.value.expiry) ? cursor.value.expiry : null;
  return loaded({ ...record, releases }, refillsAt);
}

function loaded(record: TotalsRecord, refillsAt: number | null): LoadedTarget {
  return {
    record,
    state: {
      config: { totalEpsilon: record.totalEpsilon, window: record.window },
      sums: { counting: record.counting, all: record.all, releases: record.releases, refillsAt },
    },
  };
}

/**
 * Records one charge in the sums of its scope and the device, in the caller's readwrite transaction
 * (both loaded at `charge.time` in it): one row per target, the records rewritten. O(1).
 */
export function addChargeToTotals(
  tx: Tx<'readwrite'>,
  id: string,
  charge: Charge,
  scope: LoadedTarget,
  device: LoadedTarget,
): void {
  const expiries = tx.objectStore('expiries');
  for (const t of [scope, device]) {
    const row: ExpiryRow = {
      target: t.record.target,
      id,
      expiry: expiryUnder(t.record.window, charge.time),
      epsilonUnits: charge.epsilonUnits,
      rhoUnits: charge.rhoUnits,
      ...(charge.deltaUnits ? { deltaUnits: charge.deltaUnits } : {}),
    };
    void expiries.put(row);
    addCharge(t.record.counting, charge);
    addCharge(t.record.all, charge);
    t.record = { ...t.record, releases: t.record.releases + 1 };
  }
  device.record = {
    ...device.record,
    entries: (device.record.entries ?? 0) + 1,
    latest: Math.max(device.record.latest ?? -Infinity, charge.time),
  };
  void tx.objectStore('totals').put(scope.record);
  void tx.objectStore('totals').put(device.record);
}

/**
 * Takes a withdrawn entry's charge out of its scope's and the device's sums (it released nothing),
 * in the caller's readwrite transaction, the one that marks it withdrawn.
 */
export async function withdrawFromTotals(tx: Tx<'readwrite'>, entry: LedgerEntry): Promise<void> {
  const charge = chargeOf(entry);
  for (const target of [entry.scope, DEVICE]) {
    const stored = await tx.objectStore('totals').get(target);
    if (!stored) continue;
    const record = copy(stored);
    addCharge(record.all, charge, -1);
    const row = await tx.objectStore('expiries').get([target, entry.id]);
    let releases = record.releases;
    if (row) {
      addCharge(record.counting, row, -1);
      releases--;
      void tx.objectStore('expiries').delete([target, entry.id]);
    }
    void tx.objectStore('totals').put({ ...record, releases });
  }
}

/**
 * Applies a budget change (its time already the budget's clock) to its target's record and to the
 * expiries of the charges still counting there; creates the record of a new scope. O(charges still
 * counting against that target), and only for a change, never for a release.
 */
export async function applyChangeToTotals(tx: Tx<'readwrite'>, change: BudgetChange): Promise<void> {
  const c = change.time;
  const target = (await loadTarget(tx, change.target, c)) ?? loaded(newRecord(change.target, change), null);
  const due = tx.objectStore('expiries').index('due');
  const moveTo = change.window.kind === 'lifetime' ? Infinity : c + change.window.ms;
  // Lifetime: every finite expiry becomes never. Rolling: everything before c + W′, and every never, becomes c + W′.
  const ranges =
    moveTo === Infinity
      ? [IDBKeyRange.bound([change.target, c], [change.target, Infinity], true, true)]
      : [
          IDBKeyRange.bound([change.target, c], [change.target, moveTo], true, true),
          IDBKeyRange.only([change.target, Infinity]),
        ];
  for (const range of ranges) {
    let cursor = await due.openCursor(range);
    while (cursor) {
      await (cursor as unknown as { update(v: ExpiryRow): Promise<unknown> }).update({
        ...cursor.value,
        expiry: moveTo,
      });
      cursor = await cursor.continue();
    }
  }
  let record: TotalsRecord = { ...target.record, totalEpsilon: change.totalEpsilon, window: change.window };
  if (change.target === DEVICE) record = { ...record, latest: Math.max(record.latest ?? -Infinity, c) };
  void tx.objectStore('totals').put(record);
  if (change.target !== DEVICE) {
    const device = await tx.objectStore('totals').get(DEVICE);
    if (device) void tx.objectStore('totals').put({ ...device, latest: Math.max(device.latest ?? -Infinity, c) });
  }
}

/** The budget's clock for a change made at `now`: never before anything the ledger recorded. */
export async function changeTime(tx: AnyTx, now: number): Promise<number> {
  return clockAfter(await tx.objectStore('totals').get(DEVICE), now);
}

/** The budget's clock for `now`, given the device's record. */
export function clockAfter(device: TotalsRecord | undefined, now: number): number {
  return Math.max(now, device?.latest ?? -Infinity);
}

/** Every budget, and the number of ledger entries: what a page is told after each commit (ledger-delta.ts). */
export interface LedgerOverview {
  readonly budgets: BudgetOverview;
  readonly ledgerCount: number;
}

/** Every budget from the running sums, and the number of ledger entries, at the budget's clock for `now`. */
export async function overviewFromTotals(tx: AnyTx, now: number): Promise<LedgerOverview> {
  const t = await changeTime(tx, now);
  const device = (await loadTarget(tx, DEVICE, t))!;
  return overviewWith(tx, t, device.state, new Map(), device.record.entries ?? 0);
}

/**
 * The overview at the budget's clock `time`, in a transaction where the device's state and some scopes'
 * are known already (a commit's, after its charge): the other scopes are loaded from their sums.
 */
export async function overviewWith(
  tx: AnyTx,
  time: number,
  device: TargetState,
  known: ReadonlyMap<string, TargetState>,
  ledgerCount: number,
): Promise<LedgerOverview> {
  const names = (await tx.objectStore('totals').getAllKeys()).filter((k) => k !== DEVICE).sort();
  const scopes = [];
  for (const name of names) {
    const own = known.get(name) ?? (await loadTarget(tx, name, time))!.state;
    scopes.push(statusFromSums(name, own, device));
  }
  return {
    budgets: { device: statusOfSums(device.config, device.sums).status, deltaTarget: DELTA_TARGET, scopes },
    ledgerCount,
  };
}

/**
 * The running sums of a ledger of an earlier version, computed once from its entries and changes
 * (the upgrade to version 5). Every charge not withdrawn gets its expiry rows with budget-policy.ts's
 * rule; expired ones leave the counting sums when their target is next used, as always.
 */
export function totalsFrom(
  entries: readonly LedgerEntry[],
  changes: readonly BudgetChange[],
): { records: TotalsRecord[]; rows: ExpiryRow[] } {
  const targets = new Set<string>([DEVICE, ...changes.map((c) => c.target)]);
  const records = new Map<string, TotalsRecord>();
  const ordered = new Map<string, BudgetChange[]>();
  for (const target of targets) {
    const config = currentConfig(changes, target) ?? DEFAULT_DEVICE_BUDGET;
    records.set(target, newRecord(target, config));
    ordered.set(target, orderedChanges(changes, target));
  }
  const rows: ExpiryRow[] = [];
  let latest = Math.max(-Infinity, ...changes.map((c) => c.time));
  for (const e of entries) {
    latest = Math.max(latest, e.time);
    if (e.state === 'withdrawn') continue;
    const charge = chargeOf(e);
    for (const target of [e.scope, DEVICE]) {
      const record = records.get(target);
      // A charge of a scope that no change ever created (not possible since version 2) counts on the device only.
      if (!record) continue;
      addCharge(record.counting, charge);
      addCharge(record.all, charge);
      records.set(target, { ...record, releases: record.releases + 1 });
      rows.push({
        target,
        id: e.id,
        expiry: chargeExpiry(charge.time, ordered.get(target)!),
        epsilonUnits: charge.epsilonUnits,
        rhoUnits: charge.rhoUnits,
        ...(charge.deltaUnits ? { deltaUnits: charge.deltaUnits } : {}),
      });
    }
  }
  const device = records.get(DEVICE)!;
  records.set(DEVICE, { ...device, entries: entries.length, ...(Number.isFinite(latest) ? { latest } : {}) });
  return { records: [...records.values()], rows };
}
