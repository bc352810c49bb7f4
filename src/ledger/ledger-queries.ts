import { ObscuraError } from '../errors';
import {
  currentConfig,
  statusFromSums,
  DEVICE,
  knownScopes,
  unknownScope,
  type BudgetOverview,
  validateBudgetChange,
  type BudgetChange,
  type BudgetStatus,
  type ScopeConfig,
  type WindowPolicy,
} from './budget-policy';
import { applyChangeToTotals, changeTime, loadTarget, overviewFromTotals } from './running-totals';
import { storageError, type LedgerDb, type LedgerEntry } from './ledger-schema';
import { sameAggregateScope, validateScopeMode } from './aggregate-scope';

export { chargeOf, countingCharges } from './charges';

/**
 * Records one budget change (strict durability: it is on disk before anything relies on it).
 * `expect` checks, in the same transaction, that the scope is new ('new') or was created
 * before ('existing'), so two tabs cannot both create one scope.
 */
async function recordChange(
  db: LedgerDb,
  change: BudgetChange,
  scope?: ScopeConfig,
  expect?: 'new' | 'existing',
  requestedMode?: ScopeConfig['mode'],
): Promise<void> {
  validateBudgetChange(change);
  let refusal: ObscuraError | undefined;
  try {
    const tx = db.transaction(['budgetChanges', 'scopes', 'totals', 'expiries'], 'readwrite', {
      durability: 'strict',
    });
    const changes = tx.objectStore('budgetChanges');
    // The budget's clock never runs backwards: a change is never dated before a charge already made.
    change = { ...change, time: await changeTime(tx, change.time) };
    let stored = scope;
    if (expect) {
      const known = knownScopes(await changes.getAll());
      const exists = known.includes(change.target);
      if (expect === 'existing' && !exists) refusal = unknownScope(change.target, known);
      if (expect === 'new' && exists)
        refusal = new ObscuraError(
          'ScopeExistsError',
          `a budget scope "${change.target}" already exists; change its budget instead of creating it again`,
          { scope: change.target },
        );
      if (!refusal && expect === 'existing' && scope) {
        const before = await tx.objectStore('scopes').get(change.target);
        refusal = modeChange(before, scope, requestedMode);
        // The mode and aggregators stay what they were when the scope was created.
        if (before?.mode)
          stored = { ...scope, mode: before.mode, ...(before.aggregate ? { aggregate: before.aggregate } : {}) };
      }
      if (refusal) {
        tx.abort();
        await tx.done.catch(() => undefined);
        throw refusal;
      }
    }
    void changes.add(change);
    if (stored) void tx.objectStore('scopes').put(stored);
    await applyChangeToTotals(tx, change);
    await tx.done;
  } catch (err) {
    if (refusal) throw refusal;
    throw storageError(err);
  }
}

/**
 * A scope's mode and aggregators are fixed at creation: reports already in a batch were noised for
 * that task, and the ledger's guarantees name those aggregators. Leaving them out keeps them.
 */
function modeChange(
  before: ScopeConfig | undefined,
  after: ScopeConfig,
  requested: ScopeConfig['mode'],
): ObscuraError | undefined {
  if (requested === undefined && after.aggregate === undefined) return undefined;
  const was = before?.mode ?? 'local';
  const asked = requested ?? 'local';
  if (asked !== was || (after.aggregate !== undefined && !sameAggregateScope(before?.aggregate, after.aggregate)))
    return new ObscuraError(
      'InvalidParameterError',
      `the mode and aggregators of scope "${after.name}" are fixed when it is created (it is ${was}); ` +
        'create another scope for another mode or other aggregators',
      { parameter: 'mode', scope: after.name },
    );
  return undefined;
}

/**
 * Creates a scope or changes its total and window, as a budget change in the ledger. A new
 * total applies to what was already spent, and no change of window forgives a charge
 * (budget-policy.ts). Throws InvalidParameterError for a total outside [0, 100] or a rolling
 * window shorter than a day.
 */
export async function configureScope(
  db: LedgerDb,
  scope: ScopeConfig,
  now: number = Date.now(),
  expect?: 'new' | 'existing',
): Promise<void> {
  const clean: ScopeConfig = {
    name: scope.name,
    totalEpsilon: scope.totalEpsilon,
    window: scope.window,
    ...validateScopeMode(scope),
  };
  await recordChange(
    db,
    { time: now, target: scope.name, totalEpsilon: scope.totalEpsilon, window: scope.window },
    clean,
    expect,
    scope.mode,
  );
}

/** Creates a scope; a ScopeExistsError if one of that name was ever created. */
export function createScope(db: LedgerDb, scope: ScopeConfig, now: number = Date.now()): Promise<void> {
  return configureScope(db, scope, now, 'new');
}

/** Changes an existing scope's total and window; an UnknownScopeError for a scope never created. */
export function changeScope(db: LedgerDb, scope: ScopeConfig, now: number = Date.now()): Promise<void> {
  return configureScope(db, scope, now, 'existing');
}

/** Changes the device-wide budget every scope draws from, as a budget change in the ledger. */
export async function configureDevice(
  db: LedgerDb,
  budget: { readonly totalEpsilon: number; readonly window: WindowPolicy },
  now: number = Date.now(),
): Promise<void> {
  await recordChange(db, { time: now, target: DEVICE, totalEpsilon: budget.totalEpsilon, window: budget.window });
}

/** A scope's budget and the device's, from the running sums; an UnknownScopeError for a scope never created. */
export async function readBudget(db: LedgerDb, scopeName: string, now: number): Promise<BudgetStatus> {
  const tx = db.transaction(['budgetChanges', 'totals', 'expiries'], 'readonly');
  const t = await changeTime(tx, now);
  const [own, device] = [await loadTarget(tx, scopeName, t), await loadTarget(tx, DEVICE, t)];
  if (!own || scopeName === DEVICE)
    throw unknownScope(scopeName, knownScopes(await tx.objectStore('budgetChanges').getAll()));
  return statusFromSums(scopeName, own.state, device!.state);
}

/** The device's budget and every scope's, from the running sums, with the number of ledger entries. */
export async function readOverview(
  db: LedgerDb,
  now: number,
): Promise<{ budgets: BudgetOverview; ledgerCount: number }> {
  return overviewFromTotals(db.transaction(['totals', 'expiries'], 'readonly'), now);
}

/** The device's budget and every scope's, in one read of the running sums. */
export async function readBudgets(db: LedgerDb, now: number): Promise<BudgetOverview> {
  return (await readOverview(db, now)).budgets;
}

/** Every scope's configuration (its mode, and an aggregate-only scope's aggregators), by name. */
export async function listScopes(db: LedgerDb): Promise<ScopeConfig[]> {
  const scopes = await db.getAll('scopes');
  return scopes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** One scope's configuration; an UnknownScopeError for a scope never created. */
export async function readScope(db: LedgerDb, name: string): Promise<ScopeConfig> {
  const tx = db.transaction(['budgetChanges', 'scopes'], 'readonly');
  const scope = await tx.objectStore('scopes').get(name);
  // A scope's record is written with its first budget change, so a scope found is a scope created; the
  // changes are read only for a scope not found (to name the known ones) or a version-1 ledger's.
  if (scope && name !== DEVICE) return scope;
  const changes = await tx.objectStore('budgetChanges').getAll();
  const known = knownScopes(changes);
  if (!known.includes(name)) throw unknownScope(name, known);
  // A scope known only from its budget changes (a version-1 ledger's) is a local one.
  const { totalEpsilon, window } = currentConfig(changes, name)!;
  return { name, totalEpsilon, window };
}

/** Every release, newest first (optionally of one scope). */
export async function listLedger(db: LedgerDb, scope?: string): Promise<LedgerEntry[]> {
  const entries = scope ? await db.getAllFromIndex('ledger', 'scope', scope) : await db.getAll('ledger');
  return entries.sort((a, b) => b.time - a.time);
}

/** Every budget change ever made (device: target "@device"), newest first. */
export async function listBudgetChanges(db: LedgerDb): Promise<BudgetChange[]> {
  const changes = await db.getAll('budgetChanges');
  return changes.sort((a, b) => b.time - a.time || (b.seq ?? 0) - (a.seq ?? 0));
}
