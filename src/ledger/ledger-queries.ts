import { epsilonUnitsUp } from '../privacy/accountant';
import {
  budgetStatus,
  DEVICE,
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

/** Records one budget change (strict durability: it is on disk before anything relies on it). */
async function recordChange(db: LedgerDb, change: BudgetChange, scope?: ScopeConfig): Promise<void> {
  validateBudgetChange(change);
  try {
    const tx = db.transaction(['budgetChanges', 'scopes'], 'readwrite', { durability: 'strict' });
    void tx.objectStore('budgetChanges').add(change);
    if (scope) void tx.objectStore('scopes').put(scope);
    await tx.done;
  } catch (err) {
    throw storageError(err);
  }
}

/**
 * Creates a scope or changes its total and window, as a budget change in the ledger. A new
 * total applies to what was already spent, and no change of window forgives a charge
 * (budget-policy.ts). Throws InvalidParameterError for a total outside [0, 100] or a rolling
 * window shorter than a day.
 */
export async function configureScope(db: LedgerDb, scope: ScopeConfig, now: number = Date.now()): Promise<void> {
  const clean: ScopeConfig = { name: scope.name, totalEpsilon: scope.totalEpsilon, window: scope.window };
  await recordChange(
    db,
    { time: now, target: scope.name, totalEpsilon: scope.totalEpsilon, window: scope.window },
    clean,
  );
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
