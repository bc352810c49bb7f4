/**
 * The Gaussian mechanism, calibrated with the analytic Gaussian mechanism (Balle &
 * Wang 2018, Theorem 8 and Algorithm 1): x + N(0, σ²I) is (ε, δ)-DP at L2
 * sensitivity Δ exactly when Φ(Δ/(2σ) − εσ/Δ) − e^ε Φ(−Δ/(2σ) − εσ/Δ) ≤ δ.
 * That δ(σ) falls as σ grows, so the smallest σ is found by bisection.
 * Local DP: any input against any input, so for inputs clipped to norm C, Δ = 2C.
 */
import { normalCdf } from '../math/special';
import type { RandomDraws } from '../random/draws';
import { requireOpenUnit, requirePositiveFinite } from '../errors';

/** The δ that noise σ gives at (ε, Δ). */
export function analyticGaussianDelta(sigma: number, epsilon: number, sensitivity: number): number {
  const a = sensitivity / (2 * sigma);
  const b = (epsilon * sigma) / sensitivity;
  // e^ε Φ(−a−b) computed in log space: for large ε the factor alone overflows.
  const tail = normalCdf(-a - b);
  const second = tail === 0 ? 0 : Math.exp(epsilon + Math.log(tail));
  return normalCdf(a - b) - second;
}

/** The smallest σ with δ(σ) ≤ δ, to 1e-12 relative. */
export function calibrateAnalyticGaussian(epsilon: number, delta: number, sensitivity: number): number {
  requirePositiveFinite('epsilon', epsilon);
  requireOpenUnit('delta', delta);
  requirePositiveFinite('sensitivity', sensitivity);
  let lo = 1e-12 * sensitivity;
  let hi = sensitivity;
  while (analyticGaussianDelta(hi, epsilon, sensitivity) > delta) hi *= 2;
  for (let i = 0; i < 200 && (hi - lo) / hi > 1e-13; i++) {
    const mid = (lo + hi) / 2;
    if (analyticGaussianDelta(mid, epsilon, sensitivity) > delta) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * x + N(0, σ²I). Each output is rounded at random (unbiasedly) to a grid of σ·2^−20:
 * post-processing, so privacy is unchanged, and the low-order bits of the floating-point
 * sum, which can carry information about x (Mironov 2012), are not released.
 */
export function gaussianNoise(x: Float64Array, sigma: number, draws: RandomDraws): Float64Array {
  const step = sigma * 2 ** -20;
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = randomRound(x[i]! + sigma * draws.normal(), step, draws);
  return out;
}

/** Rounds to a multiple of `step`, up with probability equal to the fractional part: E[result] = value. */
export function randomRound(value: number, step: number, draws: RandomDraws): number {
  const scaled = value / step;
  const floor = Math.floor(scaled);
  return (draws.uniform() < scaled - floor ? floor + 1 : floor) * step;
}
