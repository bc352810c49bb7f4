/** Pure helpers for the release controls. */
import type { BudgetStatus } from '../release/index';

/** Why the release button is disabled, in plain words; undefined when it is enabled. */
export function releaseBlockedReason(
  budget: BudgetStatus | undefined,
  epsilon: number,
  collectorUrl: string | undefined,
): string | undefined {
  if (!collectorUrl) return 'Releasing is off: this page has no report endpoint configured.';
  if (!budget) return 'The privacy ledger is still loading.';
  if (budget.remaining + 1e-12 < epsilon) {
    const refill =
      budget.window.kind === 'lifetime'
        ? 'It does not refill by itself; you can grant more under “Change the budget”.'
        : budget.refillsAt
          ? `It refills from ${new Date(budget.refillsAt).toLocaleString()}.`
          : '';
    const left = `ε ${budget.remaining.toFixed(2)} left`;
    return `The privacy budget is spent: ${left}, and a release costs ε ${epsilon}. ${refill}`;
  }
  return undefined;
}
