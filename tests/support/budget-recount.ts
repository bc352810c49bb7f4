/**
 * The budget rule recounted from the whole list of charges and budget changes: the reference the
 * ledger's running sums (src/ledger/running-totals.ts) and its decision on them (decideOnSums) must
 * always equal. It reads every charge on each call, so nothing shipped uses it; tests compare against
 * it and the budget-decision benchmark measures it.
 */
import {
  chargeExpiry,
  currentConfig,
  DEFAULT_DEVICE_BUDGET,
  decideOnSums,
  DEVICE,
  knownScopes,
  orderedChanges,
  statusOfSums,
  unknownScope,
  type BudgetChange,
  type BudgetOverview,
  type BudgetStatus,
  type Charge,
  type ChargeDecision,
  type TargetStatus,
  type TargetSums,
  type WindowPolicy,
} from '../../src/ledger/budget-policy';
import { addCharge, emptyTotals, type Cost } from '../../src/privacy/accountant';
import { DELTA_TARGET } from '../../src/privacy/limits';

/** Every budget change and every charge still on the ledger. */
export interface BudgetState {
  readonly changes: readonly BudgetChange[];
  readonly charges: readonly Charge[];
}

/** The later of the clock and every recorded time: the budget's clock never runs backwards. */
export function effectiveNow(now: number, charges: readonly Charge[], changes: readonly BudgetChange[]): number {
  let t = now;
  for (const c of charges) t = Math.max(t, c.time);
  for (const c of changes) t = Math.max(t, c.time);
  return t;
}

/** A target's sums recounted from its charges (and `extra`, a charge about to be made) at `now`. */
export function sumsOf(
  targetChanges: readonly BudgetChange[],
  charges: readonly Charge[],
  extra: Charge | null,
  now: number,
): TargetSums {
  const counting = emptyTotals();
  const all = emptyTotals();
  let releases = 0;
  let refillsAt = Infinity;
  for (const c of extra ? [...charges, extra] : charges) {
    addCharge(all, c);
    const expiry = chargeExpiry(c.time, targetChanges);
    if (expiry > now) {
      addCharge(counting, c);
      releases++;
      refillsAt = Math.min(refillsAt, expiry);
    }
  }
  return { counting, all, releases, refillsAt: Number.isFinite(refillsAt) ? refillsAt : null };
}

function targetStatus(
  config: { totalEpsilon: number; window: WindowPolicy },
  targetChanges: readonly BudgetChange[],
  charges: readonly Charge[],
  extra: Charge | null,
  now: number,
): { status: TargetStatus; spentUnits: number; totalUnits: number; deltaUnits: number } {
  return statusOfSums(config, sumsOf(targetChanges, charges, extra, now));
}

/** The status of a scope and the device at `now` (after `extra`, a charge about to be made, if given). */
export function budgetStatus(
  state: BudgetState,
  scope: string,
  now: number,
  extra: Charge | null = null,
): BudgetStatus {
  const scopeConfig = currentConfig(state.changes, scope);
  if (scope === DEVICE || !scopeConfig) throw unknownScope(scope, knownScopes(state.changes));
  const deviceConfig = currentConfig(state.changes, DEVICE) ?? DEFAULT_DEVICE_BUDGET;
  const t = effectiveNow(now, state.charges, state.changes);
  const own = targetStatus(
    scopeConfig,
    orderedChanges(state.changes, scope),
    state.charges.filter((c) => c.scope === scope),
    extra && extra.scope === scope ? extra : null,
    t,
  );
  const device = targetStatus(deviceConfig, orderedChanges(state.changes, DEVICE), state.charges, extra, t).status;
  return {
    ...own.status,
    scope,
    scopeRemaining: own.status.remaining,
    remaining: Math.min(own.status.remaining, device.remaining),
    device,
    deltaTarget: DELTA_TARGET,
  };
}

/** Every budget at `now`: the device's and each scope's (as `budgetStatus` gives it), by scope name. */
export function budgetOverview(state: BudgetState, now: number): BudgetOverview {
  const deviceConfig = currentConfig(state.changes, DEVICE) ?? DEFAULT_DEVICE_BUDGET;
  const t = effectiveNow(now, state.charges, state.changes);
  const device = targetStatus(deviceConfig, orderedChanges(state.changes, DEVICE), state.charges, null, t).status;
  const scopes = knownScopes(state.changes).map((name) => budgetStatus(state, name, now));
  return { device, deltaTarget: DELTA_TARGET, scopes };
}

/**
 * Decides one charge from the whole list: it must fit the scope and the device, counted in whole grid
 * units. An unknown scope is an UnknownScopeError, an unaffordable charge a BudgetExhaustedError
 * naming the budget that is short.
 */
export function decideCharge(state: BudgetState, scope: string, cost: Cost, now: number): ChargeDecision {
  const scopeConfig = currentConfig(state.changes, scope);
  if (scope === DEVICE || !scopeConfig) return { ok: false, error: unknownScope(scope, knownScopes(state.changes)) };
  const deviceConfig = currentConfig(state.changes, DEVICE) ?? DEFAULT_DEVICE_BUDGET;
  const time = effectiveNow(now, state.charges, state.changes);
  const ownChanges = orderedChanges(state.changes, scope);
  const deviceChanges = orderedChanges(state.changes, DEVICE);
  const ownCharges = state.charges.filter((c) => c.scope === scope);
  return decideOnSums(
    scope,
    { config: scopeConfig, sums: sumsOf(ownChanges, ownCharges, null, time) },
    { config: deviceConfig, sums: sumsOf(deviceChanges, state.charges, null, time) },
    cost,
    time,
  );
}
