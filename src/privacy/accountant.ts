/**
 * Privacy accounting (pure). Every release is charged as its privacy-loss distribution (pld.ts):
 * pure-ε mechanisms (PrivUnit, Laplace, k-RR, OUE) as randomized response at their ε, Gaussian
 * releases as the Gaussian PLD of parameter μ (stored as ρ = μ²/2, which adds), (ε, δ) releases
 * (aggregate-only) as randomized response at ε plus δ of infinite loss. A set of charges is spent
 * the ε at which their composition is (ε, δ)-DP at the device's δ target, computed from compact
 * sufficient statistics (ChargeTotals: counts per rounded ε, Σρ, counts), so charges may expire
 * and be added in any order.
 *
 * Charges are rounded UP to a grid and kept as integers of it (ε in 2^−20, ρ in 2^−40, δ in
 * 2^−60), so sums are exact: no charge, however small, is absorbed by floating-point addition.
 */
import { validateParams, type MechanismParams } from './mechanism';
import { DELTA_TARGET } from './limits';
import {
  GAUSSIAN_PMF_LOG_FACTOR,
  GAUSSIAN_SLACK,
  gaussianRho,
  TRIALS_DELTA_RESERVE,
} from './mechanisms/discrete-gaussian';
import { composedEpsilon, type PureGroup } from './pld';
import { rhoForEpsilon, zcdpToEpsilon } from './zcdp';

/** One unit of pure ε in the ledger. */
export const EPSILON_GRID = 2 ** -20;
/** One unit of a Gaussian release's ρ = μ²/2 in the ledger. */
export const RHO_GRID = 2 ** -40;
/** One unit of additive δ in the ledger: sums stay exact integers far past APPROX_DELTA_CAP. */
export const DELTA_GRID = 2 ** -60;

export interface Cost {
  /** The ε the release states. */
  readonly epsilon: number;
  /** The δ the release states (0 for pure mechanisms). */
  readonly delta: number;
  /**
   * μ²/2 for a Gaussian release, μ = Δ/σ of the continuous Gaussian that dominates it (also a bound on
   * its zCDP ρ); 0 for the others.
   */
  readonly rho: number;
  /** Pure ε charged, in EPSILON_GRID units, rounded up. */
  readonly epsilonUnits: number;
  /** ρ = μ²/2 charged, in RHO_GRID units, rounded up. */
  readonly rhoUnits: number;
  /**
   * δ of infinite privacy loss, in DELTA_GRID units, rounded up: only (ε, δ) releases that are
   * neither pure nor Gaussian (aggregate-only). Absent: 0 (a Gaussian's δ is in its ρ).
   */
  readonly deltaUnits?: number;
}

/** ε in grid units, rounded up (exact: the grid is a power of two). */
export function epsilonUnitsUp(epsilon: number): number {
  return Math.ceil(epsilon / EPSILON_GRID);
}

/** δ in DELTA_GRID units, rounded up. */
export function deltaUnitsUp(delta: number): number {
  return Math.ceil(delta / DELTA_GRID);
}

/** A budget total in grid units, rounded down (a budget never grows by rounding). */
export function epsilonUnitsDown(epsilon: number): number {
  return Math.floor(epsilon / EPSILON_GRID);
}

/** What one release with these parameters costs. Throws InvalidParameterError for parameters validateParams refuses. */
export function costOf(params: MechanismParams): Cost {
  validateParams(params);
  if (params.name === 'gaussian') {
    const rho = gaussianRho(params.epsilon, params.delta);
    return {
      epsilon: params.epsilon,
      delta: params.delta,
      rho,
      epsilonUnits: epsilonUnitsUp(GAUSSIAN_SLACK),
      rhoUnits: Math.ceil(rho / RHO_GRID),
    };
  }
  return { epsilon: params.epsilon, delta: 0, rho: 0, epsilonUnits: epsilonUnitsUp(params.epsilon), rhoUnits: 0 };
}

/** One charge as the accountant reads it (budget-policy.ts keeps time and scope beside these). */
export interface ChargeUnits {
  readonly epsilonUnits: number;
  readonly rhoUnits: number;
  readonly deltaUnits?: number;
}

/**
 * What a set of charges has spent, as sufficient statistics: their composition depends on nothing
 * else, and adding or removing a charge is O(1).
 */
export interface ChargeTotals {
  /** Pure ε charges (and the ε of (ε, δ) charges): how many at each ε (EPSILON_GRID units, after epsilonBucket). */
  readonly pure: Map<number, number>;
  /** Σ of the same charges' ε units as recorded (not bucketed): their basic composition. */
  pureUnits: number;
  /** Σ ρ of the Gaussian charges (RHO_GRID units): their μ² is twice this. */
  rhoUnits: number;
  /** How many Gaussian charges. */
  gaussians: number;
  /** Σ of the Gaussian charges' pure ε (the samplers' slack), added to the composed ε as it is. */
  slackUnits: number;
  /** Σ δ of the (ε, δ) charges, DELTA_GRID units. */
  deltaUnits: number;
}

export function emptyTotals(): ChargeTotals {
  return { pure: new Map(), pureUnits: 0, rhoUnits: 0, gaussians: 0, slackUnits: 0, deltaUnits: 0 };
}

/** An independent copy (the map included). */
export function copyTotals(t: ChargeTotals): ChargeTotals {
  return { ...t, pure: new Map(t.pure) };
}

/**
 * ε units rounded up to 8 significant bits (at most 1/128 more, under 0.8 %): a pure-ε release is
 * also ε′-DP for every ε′ ≥ ε, and the composition then has at most 128 distinct ε per octave.
 */
export function epsilonBucket(units: number): number {
  if (units < 256) return units;
  const shift = 2 ** (Math.floor(Math.log2(units)) - 7);
  return Math.ceil(units / shift) * shift;
}

/** Adds (sign 1) or removes (sign −1) one charge. */
export function addCharge(totals: ChargeTotals, charge: ChargeUnits, sign: 1 | -1 = 1): void {
  if (charge.rhoUnits > 0) {
    totals.rhoUnits += sign * charge.rhoUnits;
    totals.gaussians += sign;
    totals.slackUnits += sign * charge.epsilonUnits;
    return;
  }
  totals.pureUnits += sign * charge.epsilonUnits;
  const key = epsilonBucket(charge.epsilonUnits);
  const count = (totals.pure.get(key) ?? 0) + sign;
  if (count === 0) totals.pure.delete(key);
  else totals.pure.set(key, count);
  totals.deltaUnits += sign * (charge.deltaUnits ?? 0);
}

/**
 * The most distinct ε the composition convolves. Its work grows with the square of that number (the
 * lattice is finer the more groups it adds up), so a caller who spreads releases over many ε values
 * (a widget host may pick any ε up to the person's setting) could otherwise stall every later budget
 * decision for seconds to minutes. Apps and declared tasks use a handful of values.
 */
export const PLD_GROUPS_MAX = 10;

/**
 * The groups with at most PLD_GROUPS_MAX distinct ε: while there are more, the two nearest in ratio
 * become one at the larger ε. An ε-DP release is also ε′-DP for every ε′ ≥ ε, so this only ever
 * raises the charge; up to PLD_GROUPS_MAX values it changes nothing.
 */
export function mergedGroups(groups: readonly PureGroup[]): PureGroup[] {
  const out = [...groups].sort((a, b) => a.epsilon - b.epsilon);
  while (out.length > PLD_GROUPS_MAX) {
    let best = 0;
    for (let i = 1; i + 1 < out.length; i++)
      if (out[i + 1]!.epsilon / out[i]!.epsilon < out[best + 1]!.epsilon / out[best]!.epsilon) best = i;
    out.splice(best, 2, { epsilon: out[best + 1]!.epsilon, count: out[best]!.count + out[best + 1]!.count });
  }
  return out;
}

const spentCache = new Map<string, number>();
const SPENT_CACHE_SIZE = 64;

/** A composition that saves less than this share of the basic one is charged the basic one. */
const SAVING_NOT_TAKEN = 2 ** -12;

/**
 * The ε spent, in grid units (rounded up), by charges with these totals, at `delta`: the δ left for
 * the pure and Gaussian part once the (ε, δ) charges' own δ is set aside (budget-policy.ts). From it
 * the samplers' residuals are taken too: TRIALS_DELTA_RESERVE per Gaussian release, and the factor
 * e^(GAUSSIAN_PMF_LOG_FACTOR) per Gaussian release by which the released pmf may exceed the ideal one
 * (discrete-gaussian.ts). Infinity when nothing is left.
 *
 * Basic composition (the pure ε summed, plus the Gaussians' own composed ε) is an upper bound too,
 * and where the PLD composition is less than 1/4096 below it, the basic one is charged: one release
 * at ε = 1 costs 1, not 0.9999986 (its exact ε at δ = 10⁻⁶), and pure charges that compose to
 * their sum show as their sum. Both are never below the exact value, and the charge stays within
 * 1/4096 of the PLD bound.
 */
export function composedEpsilonUnits(totals: ChargeTotals, delta = DELTA_TARGET): number {
  if (totals.pure.size === 0 && totals.rhoUnits === 0) return totals.slackUnits;
  const pureKey = [...totals.pure].sort((a, b) => a[0] - b[0]).join(';');
  const key = `${pureKey}|${totals.pureUnits}|${totals.rhoUnits}|${totals.gaussians}|${delta}`;
  let units = spentCache.get(key);
  if (units === undefined) {
    const left =
      (delta - totals.gaussians * TRIALS_DELTA_RESERVE) * Math.exp(-totals.gaussians * GAUSSIAN_PMF_LOG_FACTOR);
    const muSquared = 2 * totals.rhoUnits * RHO_GRID;
    const pure = mergedGroups([...totals.pure].map(([u, count]) => ({ epsilon: u * EPSILON_GRID, count })));
    const pld = composedEpsilon({ pure, muSquared }, left) * (1 + SAVING_NOT_TAKEN);
    const gaussianPart = composedEpsilon({ pure: [], muSquared }, left);
    const basic = totals.pureUnits + Math.ceil(gaussianPart / EPSILON_GRID);
    units = Number.isFinite(pld) ? Math.min(basic, Math.ceil(pld / EPSILON_GRID)) : Infinity;
    if (spentCache.size >= SPENT_CACHE_SIZE) spentCache.delete(spentCache.keys().next().value!);
    spentCache.set(key, units);
  }
  return units + totals.slackUnits;
}

/** The totals of a list of charges. */
export function totalsOf(charges: Iterable<ChargeUnits>): ChargeTotals {
  const totals = emptyTotals();
  for (const c of charges) addCharge(totals, c);
  return totals;
}

export { zcdpToEpsilon, rhoForEpsilon };
