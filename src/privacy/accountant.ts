/**
 * Privacy accounting (pure). Pure-ε mechanisms (PrivUnit, Laplace, k-RR, OUE) cost their ε.
 * Gaussian releases cost their zCDP ρ (Bun & Steinke 2016), plus GAUSSIAN_SLACK of pure ε
 * for the sampler's precision (discrete-gaussian.ts). A device's total is the sum of the
 * pure ε (basic composition) plus its summed ρ converted to ε at the one device-wide δ
 * target (zcdp.ts): the pure part is (E, 0)-DP, the Gaussian part (ε(R, δ), δ)-DP, and basic
 * composition of the two is (E + ε(R, δ), δ)-DP.
 *
 * Charges are rounded UP to a grid and kept as integers of it (ε in 2^−20, ρ in 2^−40), so
 * sums are exact: no charge, however small, is absorbed by floating-point addition.
 */
import { validateParams, type MechanismParams } from './mechanism';
import { DELTA_TARGET } from './limits';
import { GAUSSIAN_SLACK, gaussianRho } from './mechanisms/discrete-gaussian';
import { rhoForEpsilon, zcdpToEpsilon } from './zcdp';

/** One unit of pure ε in the ledger. */
export const EPSILON_GRID = 2 ** -20;
/** One unit of zCDP ρ in the ledger. */
export const RHO_GRID = 2 ** -40;
/** One unit of additive δ in the ledger: sums stay exact integers far past APPROX_DELTA_CAP. */
export const DELTA_GRID = 2 ** -60;

export interface Cost {
  /** The ε the release states. */
  readonly epsilon: number;
  /** The δ the release states (0 for pure mechanisms). */
  readonly delta: number;
  /** The release's zCDP ρ (0 for pure mechanisms, whose cost is counted in ε). */
  readonly rho: number;
  /** Pure ε charged, in EPSILON_GRID units, rounded up. */
  readonly epsilonUnits: number;
  /** zCDP ρ charged, in RHO_GRID units, rounded up. */
  readonly rhoUnits: number;
  /**
   * δ that composes by addition, in DELTA_GRID units, rounded up: only (ε, δ) releases that are
   * neither pure nor zCDP (aggregate-only). Absent: 0 (a Gaussian's δ is in its ρ).
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

/**
 * The ε spent, in grid units, by charges summing to `epsilonUnits` of pure ε and `rhoUnits`
 * of ρ: the pure part plus the ρ part converted at δ, rounded up. Integers in, integer out.
 */
export function spentEpsilonUnits(epsilonUnits: number, rhoUnits: number, delta = DELTA_TARGET): number {
  if (rhoUnits === 0) return epsilonUnits;
  return epsilonUnits + Math.ceil(zcdpToEpsilon(rhoUnits * RHO_GRID, delta) / EPSILON_GRID);
}

export { zcdpToEpsilon, rhoForEpsilon };
