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
 * t is drawn by inverting that CDF to double precision in both regions, whichever is drawn: a
 * table per parameters scanned whole, then a fixed number of Newton steps, each a fixed-length
 * continued fraction (math/symmetric-beta-quantile.ts), so the time taken does not depend on
 * the cap bit or the noise (tested by timing; residual risk: docs/privacy.md).
 */
import { incompleteBeta, logBeta } from '../math/special';
import {
  invertSymmetricBetaPair,
  symmetricBetaQuantileTable,
  type SymmetricBetaQuantileTable,
} from '../math/symmetric-beta-quantile';
import { memoize } from '../memo';
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

/** 53-bit uniforms are at least 2^−53, so no target is below 2^−53 of its region's mass. */
const LOWEST_LOG_UNIFORM = -53 * Math.LN2 - 1e-9;

/**
 * What the sampler needs per parameters: the quantile tables of the cap and of its complement, both in
 * y ∈ [0, top] (y = x in the cap, x ≤ xCut; y = 1 − x in the rest, x ≥ xCut, where 1 − I_x(a, a) =
 * I_(1−x)(a, a), so that each region is inverted from its own end of [0, 1] and keeps its precision there),
 * and the largest double below γ (the rest's t must stay below γ).
 */
interface CapSampler {
  readonly cap: SymmetricBetaQuantileTable;
  readonly rest: SymmetricBetaQuantileTable;
  readonly belowGamma: number;
}

const capSamplerOf = memoize((dims: number, gamma: number, q: number): CapSampler => {
  const a = (dims - 1) / 2;
  const xCut = (1 - gamma) / 2;
  return {
    cap: symmetricBetaQuantileTable(a, xCut, Math.log(q) + LOWEST_LOG_UNIFORM),
    rest: symmetricBetaQuantileTable(a, 1 - xCut, Math.log(1 - q) + LOWEST_LOG_UNIFORM),
    belowGamma: nextBelow(gamma),
  };
});

/** By the parameters object first: releases reuse one (calibration is memoized), and a key costs a string. */
const capSamplers = new WeakMap<PrivUnitParams, CapSampler>();

function capSampler(params: PrivUnitParams): CapSampler {
  let sampler = capSamplers.get(params);
  if (sampler === undefined) {
    sampler = capSamplerOf(params.dims, params.gamma, params.q);
    capSamplers.set(params, sampler);
  }
  return sampler;
}

/** The largest double below x (x finite). */
function nextBelow(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigInt64(0, view.getBigInt64(0) + (x > 0 ? -1n : 1n));
  return view.getFloat64(0);
}

/** The two regions' inverses of one draw (a draw runs to completion, so one buffer is enough). */
const capCoordinates = new Float64Array(2);

/**
 * Draws t = ⟨V,u⟩ from the cap (t ≥ γ) or its complement, by inverse CDF, in constant work:
 * the same uniform is inverted in BOTH regions, each by a scan of its whole quantile table and a
 * fixed number of Newton steps of a fixed-length incomplete-beta evaluation (set by d alone), and
 * the cap bit only selects one of the two results at the end. So the arithmetic done, and the values
 * it is done on, are the same whichever region is drawn (inverting only the drawn region made the
 * cap draws about 1.5% slower than the others: a divider's or a libm function's time can depend on
 * its operands). The result agrees with a 64-step bisection of the same CDF to within its rounding.
 */
export function sampleCapCoordinate(params: PrivUnitParams, inCap: boolean, draws: RandomDraws): number {
  const { cap, rest, belowGamma } = capSampler(params);
  const q = params.q;
  const u = draws.uniform();
  // In the cap: I_y = u·q on [0, xCut]. In the complement, from the top: I_y = (1 − q)(1 − u) on [0, 1 − xCut].
  const ys = capCoordinates;
  invertSymmetricBetaPair(cap, rest, Math.log(u * q), Math.log((1 - q) * (1 - u)), ys);
  // t = 1 − 2x: 1 − 2y in the cap, 2y − 1 in the rest. At the regions' common end, 1 − 2·xCut can round to
  // either side of γ: each t is kept in its own region (t ≥ γ in the cap, t < γ in the rest), by selection.
  const gamma = params.gamma;
  const capT = 1 - 2 * ys[0]!;
  const restT = 2 * ys[1]! - 1;
  const capLow = Number(capT < gamma);
  const restHigh = Number(restT >= gamma);
  const inCapT = capLow * gamma + (1 - capLow) * capT;
  const inRestT = restHigh * belowGamma + (1 - restHigh) * restT;
  const c = Number(inCap);
  // One term of each sum is exactly zero.
  return c * inCapT + (1 - c) * inRestT;
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
