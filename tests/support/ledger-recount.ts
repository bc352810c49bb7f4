/**
 * The budgets recounted from a ledger database's whole ledger and every budget change, with the
 * reference rule of budget-recount.ts: what the running sums the release path reads must equal.
 * Bundled into a page (serveBundledModules) beside the ledger modules it checks.
 */
import type { BudgetOverview } from '../../src/ledger/budget-policy';
import { countingCharges } from '../../src/ledger/charges';
import type { LedgerDb } from '../../src/ledger/ledger-schema';
import { budgetOverview, effectiveNow } from './budget-recount';

export async function recountLedger(
  db: LedgerDb,
  now: number,
): Promise<{ budgets: BudgetOverview; ledgerCount: number }> {
  const tx = db.transaction(['ledger', 'budgetChanges'], 'readonly');
  const [entries, changes] = await Promise.all([
    tx.objectStore('ledger').getAll(),
    tx.objectStore('budgetChanges').getAll(),
  ]);
  const charges = countingCharges(entries);
  // Withdrawn entries still moved the budget's clock when they were recorded.
  const t = Math.max(effectiveNow(now, charges, changes), ...entries.map((e) => e.time));
  return { budgets: budgetOverview({ changes, charges }, t), ledgerCount: entries.length };
}
