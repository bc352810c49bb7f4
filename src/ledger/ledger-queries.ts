import { budgetStatus, DEFAULT_SCOPE, type BudgetStatus, type ScopeConfig } from './budget-policy';
import { storageError, type LedgerDb, type LedgerEntry } from './ledger-schema';
import { invalidParameter } from '../privacy/errors';

/** Sets a scope's total and window (a new total applies to what was already spent). */
export async function configureScope(db: LedgerDb, scope: ScopeConfig): Promise<void> {
  if (!(scope.totalEpsilon >= 0) || !Number.isFinite(scope.totalEpsilon))
    throw invalidParameter('totalEpsilon', 'a finite number >= 0', scope.totalEpsilon);
  if (scope.window.kind === 'rolling' && !(scope.window.ms > 0))
    throw invalidParameter('window.ms', 'a duration > 0', scope.window.ms);
  try {
    await db.put('scopes', scope);
  } catch (err) {
    throw storageError(err);
  }
}

export async function readBudget(db: LedgerDb, scopeName: string, now: number): Promise<BudgetStatus> {
  const tx = db.transaction(['scopes', 'ledger'], 'readonly');
  const [scope, entries] = await Promise.all([
    tx.objectStore('scopes').get(scopeName),
    tx.objectStore('ledger').index('scope').getAll(scopeName),
  ]);
  return budgetStatus(
    scope ?? { ...DEFAULT_SCOPE, name: scopeName },
    entries.map((e) => ({ time: e.time, epsilon: e.epsilon, delta: e.delta, rho: e.rho })),
    now,
  );
}

/** Every release, newest first (optionally of one scope). */
export async function listLedger(db: LedgerDb, scope?: string): Promise<LedgerEntry[]> {
  const entries = scope ? await db.getAllFromIndex('ledger', 'scope', scope) : await db.getAll('ledger');
  return entries.sort((a, b) => b.time - a.time);
}
