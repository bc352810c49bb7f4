/**
 * The Laplace mechanism (pure ε) on a grid, so floating-point artefacts cannot reveal
 * the input (Mironov 2012; the precision attacks of Tumult Labs 2022). The input,
 * clipped to L2 norm C, is rounded at random to a grid of step g (unbiased), and
 * integer noise from the discrete Laplace distribution P(k) ∝ e^(−|k|/t) is added in
 * grid units (Canonne, Kamath, Steinke 2020). Every output is an exact multiple of g.
 * L1 sensitivity: ‖x − x'‖₁ ≤ 2C√d, plus at most g per coordinate from the rounding,
 * so t = (2C√d + d·g) / (g·ε).
 */
import type { RandomDraws } from '../random/draws';
import { randomRound } from './gaussian';
import { requirePositiveFinite } from '../errors';

export interface LaplaceParams {
  readonly epsilon: number;
  readonly dims: number;
  readonly clip: number;
  /** Grid step; every output value is an integer multiple of it. */
  readonly step: number;
  /** Discrete Laplace parameter in grid units. */
  readonly t: number;
  /** Per-coordinate noise variance plus the rounding bound, summed over coordinates. */
  readonly expectedMse: number;
}

/** Grid steps per unit of the continuous Laplace scale: fine enough that rounding adds < 1e-6 of the variance. */
const STEPS_PER_SCALE = 1024;

export function calibrateLaplace(epsilon: number, dims: number, clip = 1): LaplaceParams {
  requirePositiveFinite('epsilon', epsilon);
  requirePositiveFinite('clip', clip);
  const l1 = 2 * clip * Math.sqrt(dims);
  // A power of two keeps the grid exactly representable.
  const step = 2 ** Math.floor(Math.log2(l1 / epsilon / STEPS_PER_SCALE));
  const t = (l1 + dims * step) / (step * epsilon);
  const r = Math.exp(-1 / t);
  const variance = (2 * r) / ((1 - r) * (1 - r));
  return { epsilon, dims, clip, step, t, expectedMse: dims * variance * step * step };
}

/** One draw from the discrete Laplace distribution with parameter t: the difference of two geometric variables. */
export function discreteLaplace(t: number, draws: RandomDraws): number {
  const logR = -1 / t;
  // Geometric on {0, 1, …} with P(k) = (1−r) r^k, by inversion.
  const g1 = Math.floor(Math.log(draws.uniform()) / logR);
  const g2 = Math.floor(Math.log(draws.uniform()) / logR);
  return g1 - g2;
}

export function laplaceNoise(x: Float64Array, params: LaplaceParams, draws: RandomDraws): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const onGrid = Math.round(randomRound(x[i]!, params.step, draws) / params.step);
    out[i] = (onGrid + discreteLaplace(params.t, draws)) * params.step;
  }
  return out;
}
