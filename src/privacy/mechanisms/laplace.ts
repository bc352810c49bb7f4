/**
 * The Laplace mechanism (pure ε) on a grid, so floating-point artefacts cannot reveal
 * the input (Mironov 2012; the precision attacks of Tumult Labs 2022).
 *
 * 1. The input, clipped to L2 norm C, is rounded at random to the grid gℤ (up with
 *    probability equal to the fractional part: unbiased).
 * 2. Integer noise Z from the discrete Laplace distribution P(Z = k) ∝ e^(−|k|/t)
 *    (Canonne, Kamath, Steinke 2020) is added in grid units.
 * 3. The sum is clamped to [−L, L] grid units, a public range (output-bounds.ts: L = A + a,
 *    A the largest rounded coordinate, a ≈ 12.8t the exact tail margin at which the clamp's
 *    bias is below 1 % of the standard error of a mean of 10^8 reports). The clamp reads the
 *    noisy output and public numbers only: post-processing, so ε is kept, and the output set
 *    is the same finite lattice for every input. Parameters where that bound would let one
 *    report move a mean of 500 by more than half a standard error (small d at large ε) are refused.
 * Every output is an exact multiple of the power-of-two step g.
 *
 * Sensitivity (any input vs any input): ‖x‖₂ ≤ C gives ‖x‖₁ ≤ C√d; rounding moves a
 * coordinate by less than g, so ‖round(x)‖₁ < C√d + dg and ‖round(x) − round(x′)‖₁ <
 * 2C√d + 2dg. In grid units Δ = (2C√d + 2dg)/g and t = Δ/ε′, with ε′ = ε − 2^−40 to
 * absorb the sampler's double-precision probabilities (noise-sampler.ts).
 */
import type { RandomDraws } from '../random/draws';
import { invalidParameter, requireInteger, requirePositiveFinite } from '../errors';
import { laplaceBoundUnits, laplaceSdUnits, largestInputUnits, requireBoundedInfluence } from '../output-bounds';
import { discreteLaplaceSampler, SAMPLER_SLACK, type DiscreteLaplaceSampler } from './discrete-laplace';
import { clampedGridNoise } from './grid-noise';

export interface LaplaceParams {
  readonly epsilon: number;
  readonly dims: number;
  readonly clip: number;
  /** Grid step g; every output value is an integer multiple of it. */
  readonly step: number;
  /** Discrete Laplace parameter in grid units: P(k) ∝ e^(−|k|/t). */
  readonly t: number;
  /** The noise scale in vector units, t·g (the continuous Laplace b it approximates). */
  readonly b: number;
  /** Outputs lie in [−bound, bound]·step (the public clamp of output-bounds.ts). */
  readonly bound: number;
  /** E‖report − x‖²: noise variance plus the rounding bound g²/4, summed over coordinates. */
  readonly expectedMse: number;
}

/** Rounding adds at most 2dg of L1 sensitivity; g is chosen so that this is ≤ 1/1024 of 2C√d. */
const SLACK_SHARE = 1024;

export function calibrateLaplace(epsilon: number, dims: number, clip = 1): LaplaceParams {
  requirePositiveFinite('epsilon', epsilon);
  requireInteger('dims', dims, 1, 1 << 16);
  requirePositiveFinite('clip', clip);
  if (epsilon < 2 ** -20) throw invalidParameter('epsilon', `at least 2^-20 for laplace`, epsilon);
  const l1 = 2 * clip * Math.sqrt(dims);
  // A power of two keeps the grid exactly representable.
  const step = 2 ** Math.floor(Math.log2(clip / (SLACK_SHARE * Math.sqrt(dims))));
  const sensitivityUnits = (l1 + 2 * dims * step) / step;
  const t = sensitivityUnits / (epsilon - SAMPLER_SLACK);
  const largest = largestInputUnits(clip, step);
  const bound = laplaceBoundUnits(t, clip, step);
  if (bound + largest > 2 ** 52)
    throw invalidParameter('epsilon', 'large enough that the noise fits the grid (t·13 < 2^52)', epsilon);
  requireBoundedInfluence(epsilon, bound * step, laplaceSdUnits(t) * step, clip, dims);
  // Var Z = 2r/(1−r)² with r = e^(−1/t); 1 − r by expm1 for precision at large t.
  const r = Math.exp(-1 / t);
  const oneMinusR = -Math.expm1(-1 / t);
  const variance = (2 * r) / (oneMinusR * oneMinusR);
  return { epsilon, dims, clip, step, t, b: t * step, bound, expectedMse: dims * (variance + 0.25) * step * step };
}

const samplers = new WeakMap<LaplaceParams, DiscreteLaplaceSampler>();

function samplerFor(params: LaplaceParams): DiscreteLaplaceSampler {
  let s = samplers.get(params);
  if (!s) {
    s = discreteLaplaceSampler(params.t, params.bound + Math.ceil(params.clip / params.step));
    samplers.set(params, s);
  }
  return s;
}

/** x (clipped to norm `params.clip`) plus discrete Laplace noise on the grid, clamped to the public bound. */
export function laplaceNoise(x: Float64Array, params: LaplaceParams, draws: RandomDraws): Float64Array {
  if (x.length !== params.dims) throw new RangeError(`expected ${params.dims} values, got ${x.length}`);
  const sampler = samplerFor(params);
  return clampedGridNoise(x, params.step, params.bound, sampler, draws);
}
