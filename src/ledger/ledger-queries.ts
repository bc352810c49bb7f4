import { epsilonUnitsUp } from '../privacy/accountant';
import { ObscuraError } from '../errors';
import {
  budgetOverview,
  budgetStatus,
  DEVICE,
  knownScopes,
  unknownScope,
  type BudgetOverview,
  validateBudgetChange,
  type BudgetChange,
  type BudgetStatus,
  type Charge,
  type ScopeConfig,
  type WindowPolicy,
} from './budget-policy';
import { storageError, type LedgerDb, type LedgerEntry } from './ledger-schema';

/** A ledger entry's charge; entries from before version 2 count as ⌈ε⌉ of pure ε on the grid. */
export function chargeOf(e: LedgerEntry): Charge {
  return {
    time: e.time,
    scope: e.scope,
    epsilonUnits: e.epsilonUnits ?? epsilonUnitsUp(e.epsilon),
    rhoUnits: e.rhoUnits ?? 0,
  };
}

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
): Promise<void> {
  validateBudgetChange(change);
  let refusal: ObscuraError | undefined;
  try {
    const tx = db.transaction(['budgetChanges', 'scopes'], 'readwrite', { durability: 'strict' });
    const changes = tx.objectStore('budgetChanges');
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
      if (refusal) {
        tx.abort();
        await tx.done.catch(() => undefined);
        throw refusal;
      }
    }
    void changes.add(change);
    if (scope) void tx.objectStore('scopes').put(scope);
    await tx.done;
  } catch (err) {
    if (refusal) throw refusal;
    throw storageError(err);
  }
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
  const clean: ScopeConfig = { name: scope.name, totalEpsilon: scope.totalEpsilon, window: scope.window };
  await recordChange(
    db,
    { time: now, target: scope.name, totalEpsilon: scope.totalEpsilon, window: scope.window },
    clean,
    expect,
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

/** A scope's budget and the device's; an UnknownScopeError for a scope that was never created. */
export async function readBudget(db: LedgerDb, scopeName: string, now: number): Promise<BudgetStatus> {
  const tx = db.transaction(['budgetChanges', 'ledger'], 'readonly');
  const [changes, entries] = await Promise.all([
    tx.objectStore('budgetChanges').getAll(),
    tx.objectStore('ledger').getAll(),
  ]);
  return budgetStatus({ changes, charges: entries.map(chargeOf) }, scopeName, now);
}

/** The device's budget and every scope's, in one read. */
export async function readBudgets(db: LedgerDb, now: number): Promise<BudgetOverview> {
  const tx = db.transaction(['budgetChanges', 'ledger'], 'readonly');
  const [changes, entries] = await Promise.all([
    tx.objectStore('budgetChanges').getAll(),
    tx.objectStore('ledger').getAll(),
  ]);
  return budgetOverview({ changes, charges: entries.map(chargeOf) }, now);
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
