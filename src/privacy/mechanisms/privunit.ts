/**
 * PrivUnit2 (Bhowmick, Duchi, Freudiger, Kapoor, Rogers 2018, Algorithm 1): ε-LDP
 * release of a unit vector u ∈ S^(d−1).
 *
 * With probability p the output direction V is uniform on the cap {v : ⟨v,u⟩ ≥ γ},
 * otherwise uniform on its complement; the report is V/m with m = E⟨V,u⟩, which
 * makes it unbiased. For two inputs the output density ratio is at most
 * p(1−q) / ((1−p)q), where q is the cap's share of the sphere, so choosing
 * p = e^ε q / (e^ε q + 1 − q) spends exactly ε. Which γ (and so which split of ε
 * between p and the cap) is best depends on ε and d; it is found numerically by
 * maximising m, since the estimator's MSE is 1/m² − 1 (Asi, Feldman, Talwar 2022
 * show PrivUnit with optimised parameters is optimal for this task).
 *
 * t = ⟨V,u⟩ has density ∝ (1−t²)^((d−3)/2); with t = 1 − 2x, x ~ Beta((d−1)/2, (d−1)/2).
 * t is drawn by inverting that CDF by bisection to the last bit: a fixed 64 steps of a
 * fixed-length continued fraction in both regions, whichever is drawn, so the time taken
 * does not depend on the cap bit or the noise (tested by timing; residual risk: docs/privacy.md).
 */
import { fixedBetaSteps, incompleteBeta, incompleteBetaFixedPair, logBeta } from '../math/special';
import type { RandomDraws } from '../random/draws';
import { invalidParameter, requireInteger, requirePositiveFinite } from '../errors';
import { DIMS_MAX } from '../limits';

export interface PrivUnitParams {
  readonly epsilon: number;
  readonly dims: number;
  /** Probability of sampling from the cap. */
  readonly p: number;
  /** The cap's share of the sphere, q. */
  readonly q: number;
  /** Cap threshold on ⟨V,u⟩. */
  readonly gamma: number;
  /** 1/m: the factor that makes the report unbiased. */
  readonly scale: number;
  /** E‖report − u‖² = scale² − 1. */
  readonly expectedMse: number;
}

/** Share of the sphere with ⟨v,u⟩ ≥ γ. */
export function capShare(gamma: number, dims: number): number {
  const a = (dims - 1) / 2;
  return incompleteBeta((1 - gamma) / 2, a, a);
}

/** ln m(γ) for p saturating the privacy constraint. */
function logM(gamma: number, dims: number, epsilon: number): number {
  const a = (dims - 1) / 2;
  const q = capShare(gamma, dims);
  const logC = a * Math.log1p(-gamma * gamma) - Math.log(dims - 1) - logBeta(0.5, a);
  return logC + Math.log(Math.expm1(epsilon)) - Math.log1p(Math.expm1(epsilon) * q);
}

/** e^ε nudged below, so rounding in p cannot push the privacy loss over ε. */
function spendable(epsilon: number): number {
  return Math.exp(epsilon * (1 - 1e-12));
}

/** p saturating p(1−q)/((1−p)q) = e^ε. */
export function capProbability(epsilon: number, q: number): number {
  const e = spendable(epsilon);
  return (e * q) / (e * q + 1 - q);
}

/** The γ (hence p) that minimises the estimator's MSE at this ε and d. */
export function calibratePrivUnit(epsilon: number, dims: number): PrivUnitParams {
  requirePositiveFinite('epsilon', epsilon);
  requireInteger('dims', dims, 2, DIMS_MAX);
  if (epsilon > 60)
    throw invalidParameter('epsilon', 'at most 60 for PrivUnit (e^ε overflows the calibration beyond)', epsilon);
  // Coarse grid on γ ∈ (−1, 1), then golden-section refinement around the best point.
  const N = 400;
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 1; i < N; i++) {
    const g = -1 + (2 * i) / N;
    const v = logM(g, dims, epsilon);
    if (v > bestValue) {
      bestValue = v;
      best = g;
    }
  }
  let lo = Math.max(-1 + 1e-12, best - 2 / N);
  let hi = Math.min(1 - 1e-12, best + 2 / N);
  const phi = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 100; i++) {
    const x1 = hi - phi * (hi - lo);
    const x2 = lo + phi * (hi - lo);
    if (logM(x1, dims, epsilon) >= logM(x2, dims, epsilon)) hi = x2;
    else lo = x1;
  }
  return paramsFor(epsilon, dims, (lo + hi) / 2);
}

/** Parameters for a given γ (used by calibration and to compare with fixed splits). */
export function paramsFor(epsilon: number, dims: number, gamma: number): PrivUnitParams {
  const q = capShare(gamma, dims);
  const p = capProbability(epsilon, q);
  const a = (dims - 1) / 2;
  const logC = a * Math.log1p(-gamma * gamma) - Math.log(dims - 1) - logBeta(0.5, a);
  // p/q − (1−p)/(1−q) simplifies, with p saturating, to (e − 1)/(e q + 1 − q): no 0/0 at the ends.
  const e = spendable(epsilon);
  const m = (Math.exp(logC) * (e - 1)) / (e * q + 1 - q);
  const scale = 1 / m;
  return { epsilon, dims, p, q, gamma, scale, expectedMse: scale * scale - 1 };
}

/**
 * Draws t = ⟨V,u⟩ from the cap (t ≥ γ) or its complement, by inverse CDF, in constant work:
 * the same uniform is inverted in BOTH regions, each by 64 bisection steps of an
 * incomplete-beta evaluation with a fixed number of continued-fraction steps (set by d alone),
 * and the cap bit only selects one of the two results at the end. So the arithmetic done, and
 * the values it is done on, are the same whichever region is drawn (inverting only the drawn
 * region made the cap draws about 1.5% slower than the others: a divider's or a libm
 * function's time can depend on its operands).
 */
export function sampleCapCoordinate(params: PrivUnitParams, inCap: boolean, draws: RandomDraws): number {
  const a = (params.dims - 1) / 2;
  const steps = fixedBetaSteps(a);
  const logB = logBeta(a, a); // the same for all 128 evaluations below
  const values = new Float64Array(4);
  const xCut = (1 - params.gamma) / 2; // t ≥ γ ⟺ x ≤ xCut
  const q = params.q;
  const u = draws.uniform();
  // In the cap: I_x = u·q on [0, xCut]. In the complement, inverted from the top to keep
  // precision: 1 − I_x = (1 − q)(1 − u) on [xCut, 1].
  const lowerTarget = u * q;
  const upperTarget = (1 - q) * (1 - u);
  let capLo = 0;
  let capHi = xCut;
  let restLo = xCut;
  let restHi = 1;
  for (let i = 0; i < 64; i++) {
    const capMid = (capLo + capHi) / 2;
    const restMid = (restLo + restHi) / 2;
    incompleteBetaFixedPair(capMid, restMid, a, a, steps, logB, values);
    const capBelow = Number(values[0]! < lowerTarget);
    const restBelow = Number(values[3]! > upperTarget);
    // Selections by arithmetic on 0/1 rather than branches; one term of each sum is exactly zero.
    capLo = capBelow * capMid + (1 - capBelow) * capLo;
    capHi = capBelow * capHi + (1 - capBelow) * capMid;
    restLo = restBelow * restMid + (1 - restBelow) * restLo;
    restHi = restBelow * restHi + (1 - restBelow) * restMid;
  }
  const c = Number(inCap);
  const twiceX = c * (capLo + capHi) + (1 - c) * (restLo + restHi);
  return 1 - twiceX; // t = 1 − 2x
}

/** One PrivUnit report of the unit vector `u`: an unbiased estimate of u. */
export function privUnit(u: Float64Array, params: PrivUnitParams, draws: RandomDraws): Float64Array {
  const d = u.length;
  const inCap = draws.bernoulli(params.p) === 1;
  const t = sampleCapCoordinate(params, inCap, draws);
  // A uniform direction orthogonal to u: project a Gaussian vector off u and normalise.
  const w = new Float64Array(d);
  let dot = 0;
  for (let i = 0; i < d; i++) {
    w[i] = draws.normal();
    dot += w[i]! * u[i]!;
  }
  let norm = 0;
  for (let i = 0; i < d; i++) {
    w[i]! -= dot * u[i]!;
    norm += w[i]! * w[i]!;
  }
  norm = Math.sqrt(norm);
  const s = Math.sqrt(Math.max(0, 1 - t * t));
  const out = new Float64Array(d);
  for (let i = 0; i < d; i++) out[i] = params.scale * (t * u[i]! + (s * w[i]!) / norm);
  return out;
}
