/**
 * The budget rule, pure and clock-injected.
 *
 * One device-wide budget per origin, which every scope draws from; scopes are sub-budgets
 * created explicitly (configureScope), never on the fly. A charge must fit both its scope
 * and the device. Charges are integers of the accountant's grid; what a set of charges has
 * spent is the ε of their composition by privacy-loss distributions (accountant.ts) at the
 * device's δ target, less the δ that (ε, δ) charges (aggregate-only releases) have taken: those
 * add their δ, at most APPROX_DELTA_CAP between them, so that the device's total δ is the target
 * whatever the mix.
 *
 * Budget changes are entries of their own, kept forever, and never forgive a charge:
 * - a new total applies to what was already spent;
 * - a charge counts from the moment it is made until it expires; under a lifetime budget it
 *   never expires; under a rolling window W it expires at time + W;
 * - a change of window at time c moves every charge still counting at c to expire at
 *   max(its expiry so far, c + W′) (for a lifetime expiry: c + W′); a change to lifetime makes
 *   every charge still counting at c count forever. So switching from lifetime to a rolling
 *   day keeps every earlier charge counting for a full day after the switch, and shortening
 *   a window never ends a charge earlier than the old window would have.
 * - time never runs backwards for the budget: "now" is the later of the clock and the latest
 *   recorded time (a clock set back cannot make a charge younger; see docs/privacy.md for a
 *   clock set forward).
 */
import { ObscuraError } from '../errors';
import {
  addCharge,
  composedEpsilonUnits,
  copyTotals,
  type ChargeTotals,
  type ChargeUnits,
  DELTA_GRID,
  emptyTotals,
  EPSILON_GRID,
  epsilonUnitsDown,
  type Cost,
} from '../privacy/accountant';
import { invalidParameter } from '../privacy/errors';
import { APPROX_DELTA_CAP, DELTA_TARGET } from '../privacy/limits';
import type { AggregateScope, ReleaseMode } from './aggregate-scope';

export type WindowPolicy = { readonly kind: 'lifetime' } | { readonly kind: 'rolling'; readonly ms: number };

export interface ScopeConfig {
  readonly name: string;
  /** ε the scope may release per window (lifetime: ever). */
  readonly totalEpsilon: number;
  readonly window: WindowPolicy;
  /** 'local' (the default): local-DP reports to a collector. Fixed when the scope is created. */
  readonly mode?: ReleaseMode;
  /** The aggregators, n_min and trust assumption of an aggregate-only scope (with `mode: 'aggregate-only'`). */
  readonly aggregate?: AggregateScope;
}

/** The device-wide budget's target name in budget changes (never a scope name: those match /^[A-Za-z0-9._:-]+$/). */
export const DEVICE = '@device';
/** The shortest rolling window: one day. */
export const MIN_WINDOW_MS = 24 * 60 * 60 * 1000;
/** The longest rolling window: ten years. */
export const MAX_WINDOW_MS = 3650 * MIN_WINDOW_MS;
/** No budget (device or scope) may be set above this ε. */
export const MAX_TOTAL_EPSILON = 100;

/** The device's default: ε = 10 over its lifetime, never renewing by itself, at δ = DELTA_TARGET (1e-6). */
export const DEFAULT_DEVICE_BUDGET = { totalEpsilon: 10, window: { kind: 'lifetime' } } as const;
/** The built-in scope the app configures when the ledger is created. */
export const DEFAULT_SCOPE: ScopeConfig = { name: 'default', totalEpsilon: 10, window: { kind: 'lifetime' } };

/** One budget change: the device's (target DEVICE) or one scope's total and window from `time` on. */
export interface BudgetChange {
  /** Order of the changes (IndexedDB key). */
  readonly seq?: number;
  readonly time: number;
  readonly target: string;
  readonly totalEpsilon: number;
  readonly window: WindowPolicy;
}

/** One charge, as the ledger recorded it. */
export interface Charge {
  readonly time: number;
  readonly scope: string;
  readonly epsilonUnits: number;
  readonly rhoUnits: number;
  /** Additive δ (aggregate-only releases), in DELTA_GRID units; absent: 0. */
  readonly deltaUnits?: number;
}

/** One budget (the device's or a scope's) at a moment. */
export interface TargetStatus {
  readonly total: number;
  readonly window: WindowPolicy;
  /** ε charged that still counts. */
  readonly spent: number;
  readonly remaining: number;
  /** ε released since first use, whatever the window: a renewing budget bounds nothing in the long run. */
  readonly cumulativeEpsilon: number;
  /** Charges that still count. */
  readonly releases: number;
  /** When the next counting charge expires (ms since the epoch); null when none ever will. */
  readonly refillsAt: number | null;
  /** The additive δ of (ε, δ) charges that still count (at most APPROX_DELTA_CAP on the device). */
  readonly deltaSpent: number;
}

export interface BudgetStatus extends TargetStatus {
  readonly scope: string;
  /** What the scope itself has left; `remaining` is the smaller of this and the device's. */
  readonly scopeRemaining: number;
  readonly device: TargetStatus;
  /** The device-wide δ every composed charge is stated at. */
  readonly deltaTarget: number;
}

/** Refuses a total or window outside the allowed ranges (InvalidParameterError). */
export function validateBudgetChange(change: BudgetChange): void {
  const { totalEpsilon, window } = change;
  if (typeof totalEpsilon !== 'number' || !(totalEpsilon >= 0 && totalEpsilon <= MAX_TOTAL_EPSILON))
    throw invalidParameter('totalEpsilon', `a number in [0, ${MAX_TOTAL_EPSILON}]`, totalEpsilon);
  if (window?.kind === 'rolling') {
    if (!Number.isInteger(window.ms) || window.ms < MIN_WINDOW_MS || window.ms > MAX_WINDOW_MS)
      throw invalidParameter(
        'window.ms',
        `an integer number of ms in [${MIN_WINDOW_MS} (one day), ${MAX_WINDOW_MS}]`,
        window.ms,
      );
  } else if (window?.kind !== 'lifetime') {
    throw invalidParameter('window.kind', 'lifetime or rolling', (window as { kind?: unknown } | undefined)?.kind);
  }
  if (change.target !== DEVICE && !/^[A-Za-z0-9._:-]{1,128}$/.test(change.target))
    throw invalidParameter('scope name', '1 to 128 letters, digits or . _ : -', change.target);
}

/** One target's budget changes, oldest first. */
export function orderedChanges(changes: readonly BudgetChange[], target: string): BudgetChange[] {
  return changes.filter((c) => c.target === target).sort((a, b) => a.time - b.time || (a.seq ?? 0) - (b.seq ?? 0));
}

/** When a charge stops counting against a target with these (ordered) changes: Infinity while it never does. */
export function chargeExpiry(time: number, targetChanges: readonly BudgetChange[]): number {
  let window: WindowPolicy = { kind: 'lifetime' };
  let i = 0;
  for (; i < targetChanges.length && targetChanges[i]!.time <= time; i++) window = targetChanges[i]!.window;
  let expiry = window.kind === 'lifetime' ? Infinity : time + window.ms;
  for (; i < targetChanges.length; i++) {
    const change = targetChanges[i]!;
    if (expiry <= change.time) break; // already expired: later changes do not revive it
    if (change.window.kind === 'lifetime') expiry = Infinity;
    else expiry = Math.max(expiry === Infinity ? -Infinity : expiry, change.time + change.window.ms);
  }
  return expiry;
}

/**
 * What a target's charges amount to: the sufficient statistics of those still counting and of every
 * one ever made (withdrawn ones excepted), how many still count and when the first of them expires.
 * The ledger keeps these as running sums (running-totals.ts).
 */
export interface TargetSums {
  readonly counting: ChargeTotals;
  readonly all: ChargeTotals;
  readonly releases: number;
  /** When the next counting charge expires (ms since the epoch); null when none ever will. */
  readonly refillsAt: number | null;
}

/** A target's status from its configuration and sums. */
export function statusOfSums(
  config: { totalEpsilon: number; window: WindowPolicy },
  sums: TargetSums,
): { status: TargetStatus; spentUnits: number; totalUnits: number; deltaUnits: number } {
  const { counting, all } = sums;
  const delta = counting.deltaUnits;
  const spentUnits = composedEpsilonUnits(counting, pldDelta(delta));
  const totalUnits = epsilonUnitsDown(config.totalEpsilon);
  const status: TargetStatus = {
    total: config.totalEpsilon,
    window: config.window,
    spent: spentUnits * EPSILON_GRID,
    remaining: Math.max(0, totalUnits - spentUnits) * EPSILON_GRID,
    cumulativeEpsilon: composedEpsilonUnits(all, pldDelta(all.deltaUnits)) * EPSILON_GRID,
    releases: sums.releases,
    refillsAt: sums.refillsAt,
    deltaSpent: delta * DELTA_GRID,
  };
  return { status, spentUnits, totalUnits, deltaUnits: delta };
}

/** The same sums with one more charge, counting until `expiry`. */
export function sumsWith(sums: TargetSums, charge: ChargeUnits, expiry: number): TargetSums {
  const counting = copyTotals(sums.counting);
  const all = copyTotals(sums.all);
  addCharge(counting, charge);
  addCharge(all, charge);
  const refills = Math.min(sums.refillsAt ?? Infinity, expiry);
  return { counting, all, releases: sums.releases + 1, refillsAt: Number.isFinite(refills) ? refills : null };
}

/** The δ the rest of the composition is taken at: the target less what (ε, δ) charges took (never below half of it). */
function pldDelta(deltaUnits: number): number {
  return DELTA_TARGET - Math.min(deltaUnits * DELTA_GRID, APPROX_DELTA_CAP);
}

/** The latest configuration of a target, or undefined when it was never created. */
export function currentConfig(
  changes: readonly BudgetChange[],
  target: string,
): { totalEpsilon: number; window: WindowPolicy } | undefined {
  const list = orderedChanges(changes, target);
  return list.at(-1);
}

/** Thrown for a scope that was never created: scopes are created explicitly, never on the fly. */
export function unknownScope(scope: string, known: readonly string[]): ObscuraError {
  return new ObscuraError(
    'UnknownScopeError',
    `no budget scope "${scope}"; create it first (known scopes: ${known.join(', ') || 'none'})`,
    { scope },
  );
}

/** The names of every scope ever created. */
export function knownScopes(changes: readonly BudgetChange[]): string[] {
  return [...new Set(changes.filter((c) => c.target !== DEVICE).map((c) => c.target))].sort();
}

/** Every budget at `now`: the device's and each scope's, by scope name. */
export interface BudgetOverview {
  readonly device: TargetStatus;
  readonly deltaTarget: number;
  readonly scopes: readonly BudgetStatus[];
}

export type ChargeDecision =
  | {
      readonly ok: true;
      readonly charge: Charge;
      readonly after: BudgetStatus;
      /** The scope's and the device's configuration and sums with the charge. */
      readonly states: { readonly own: TargetState; readonly device: TargetState };
    }
  | { readonly ok: false; readonly error: ObscuraError };

/** One target as a decision reads it: its configuration and sums. */
export interface TargetState {
  readonly config: { readonly totalEpsilon: number; readonly window: WindowPolicy };
  readonly sums: TargetSums;
}

/** A scope's status (with the device's) from both targets' configurations and sums. */
export function statusFromSums(scope: string, own: TargetState, device: TargetState): BudgetStatus {
  const ownStatus = statusOfSums(own.config, own.sums).status;
  const deviceStatus = statusOfSums(device.config, device.sums).status;
  return {
    ...ownStatus,
    scope,
    scopeRemaining: ownStatus.remaining,
    remaining: Math.min(ownStatus.remaining, deviceStatus.remaining),
    device: deviceStatus,
    deltaTarget: DELTA_TARGET,
  };
}

/** When a charge made at `time` stops counting against a target whose window is now `window`. */
export function expiryUnder(window: WindowPolicy, time: number): number {
  return window.kind === 'lifetime' ? Infinity : time + window.ms;
}

/**
 * Decides one charge on the targets' sums, as the ledger keeps them: O(1) in the number of charges.
 * It must fit the scope and the device, counted in whole grid units; an unaffordable charge is a
 * BudgetExhaustedError naming the budget that is short. The charge is made at `time` (the budget's
 * clock, never running backwards) and counts under each target's current window.
 */
export function decideOnSums(
  scope: string,
  own: TargetState,
  device: TargetState,
  cost: Cost,
  time: number,
): ChargeDecision {
  const before = statusFromSums(scope, own, device);
  const charge: Charge = {
    time,
    scope,
    epsilonUnits: cost.epsilonUnits,
    rhoUnits: cost.rhoUnits,
    ...(cost.deltaUnits ? { deltaUnits: cost.deltaUnits } : {}),
  };
  const ownAfter: TargetState = {
    config: own.config,
    sums: sumsWith(own.sums, charge, expiryUnder(own.config.window, time)),
  };
  const deviceAfter: TargetState = {
    config: device.config,
    sums: sumsWith(device.sums, charge, expiryUnder(device.config.window, time)),
  };
  const ownStatus = statusOfSums(ownAfter.config, ownAfter.sums);
  const deviceStatus = statusOfSums(deviceAfter.config, deviceAfter.sums);
  if (deviceStatus.deltaUnits * DELTA_GRID > APPROX_DELTA_CAP) {
    const left = Math.max(0, APPROX_DELTA_CAP - before.device.deltaSpent);
    return {
      ok: false,
      error: new ObscuraError(
        'BudgetExhaustedError',
        `the device-wide δ for (ε, δ) releases has ${left.toExponential(2)} left of ${APPROX_DELTA_CAP}, ` +
          `this release needs δ = ${cost.delta.toExponential(2)}` +
          (before.device.refillsAt !== null
            ? `; it refills from ${new Date(before.device.refillsAt).toISOString()}`
            : '; it does not refill by itself'),
        { remaining: before.device.remaining, refillsAt: before.device.refillsAt, scope, budget: 'delta' },
      ),
    };
  }
  const short =
    ownStatus.spentUnits > ownStatus.totalUnits
      ? 'scope'
      : deviceStatus.spentUnits > deviceStatus.totalUnits
        ? 'device'
        : null;
  if (short) {
    const left = short === 'scope' ? before.scopeRemaining : before.device.remaining;
    const refillsAt = short === 'scope' ? before.refillsAt : before.device.refillsAt;
    const which = short === 'scope' ? `the "${scope}" budget` : 'the device-wide budget';
    return {
      ok: false,
      error: new ObscuraError(
        'BudgetExhaustedError',
        `${which} has ε = ${left.toFixed(6)} left, this release costs ε = ${cost.epsilon}` +
          (cost.rhoUnits > 0 ? ` (δ = ${cost.delta}; composed at δ = ${DELTA_TARGET})` : '') +
          (refillsAt !== null
            ? `; it refills from ${new Date(refillsAt).toISOString()}`
            : '; it does not refill by itself'),
        { remaining: left, refillsAt, scope, budget: short },
      ),
    };
  }
  return {
    ok: true,
    charge,
    after: statusFromSums(scope, ownAfter, deviceAfter),
    states: { own: ownAfter, device: deviceAfter },
  };
}
