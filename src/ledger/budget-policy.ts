/**
 * The budget rule, pure and clock-injected: what a scope has spent in its window,
 * what remains, when it refills, and what was released since first use.
 * Charges add up under basic composition (the accountant's conservative rule).
 */
import type { Cost } from '../privacy/accountant';
import { canAfford } from '../privacy/accountant';

export type WindowPolicy = { readonly kind: 'lifetime' } | { readonly kind: 'rolling'; readonly ms: number };

export interface ScopeConfig {
  readonly name: string;
  /** ε the scope may release per window (lifetime: ever). */
  readonly totalEpsilon: number;
  readonly window: WindowPolicy;
}

export interface Charge extends Cost {
  /** ms since the epoch. */
  readonly time: number;
}

export interface BudgetStatus {
  readonly scope: string;
  readonly total: number;
  readonly window: WindowPolicy;
  /** ε charged inside the current window. */
  readonly spent: number;
  readonly remaining: number;
  /** ε released since first use, whatever the window: a renewing budget bounds nothing in the long run. */
  readonly cumulativeEpsilon: number;
  readonly releases: number;
  /** When the oldest charge in a rolling window leaves it (ms since the epoch); null for lifetime budgets or when nothing is spent. */
  readonly refillsAt: number | null;
}

/** The default scope: a lifetime budget that never renews by itself. */
export const DEFAULT_SCOPE: ScopeConfig = { name: 'default', totalEpsilon: 10, window: { kind: 'lifetime' } };

export function chargesInWindow(scope: ScopeConfig, charges: readonly Charge[], now: number): Charge[] {
  if (scope.window.kind === 'lifetime') return [...charges];
  const from = now - scope.window.ms;
  return charges.filter((c) => c.time > from);
}

export function budgetStatus(scope: ScopeConfig, charges: readonly Charge[], now: number): BudgetStatus {
  const inWindow = chargesInWindow(scope, charges, now);
  const spent = inWindow.reduce((s, c) => s + c.epsilon, 0);
  const oldest = inWindow.reduce((m, c) => Math.min(m, c.time), Infinity);
  return {
    scope: scope.name,
    total: scope.totalEpsilon,
    window: scope.window,
    spent,
    remaining: Math.max(0, scope.totalEpsilon - spent),
    cumulativeEpsilon: charges.reduce((s, c) => s + c.epsilon, 0),
    releases: inWindow.length,
    refillsAt: scope.window.kind === 'rolling' && inWindow.length > 0 ? oldest + scope.window.ms : null,
  };
}

/** True when `cost` fits in what the window leaves. */
export function mayCharge(scope: ScopeConfig, charges: readonly Charge[], cost: Cost, now: number): boolean {
  return canAfford(chargesInWindow(scope, charges, now), cost, scope.totalEpsilon);
}
