/**
 * The Gaussian mechanism, calibrated with the analytic Gaussian mechanism (Balle &
 * Wang 2018, Theorem 8 and Algorithm 1): x + N(0, σ²I) is (ε, δ)-DP at L2
 * sensitivity Δ exactly when Φ(Δ/(2σ) − εσ/Δ) − e^ε Φ(−Δ/(2σ) − εσ/Δ) ≤ δ.
 * That δ(σ) falls as σ grows, so the smallest σ is found by bisection.
 * Local DP: any input against any input, so for inputs clipped to norm C, Δ = 2C.
 *
 * Releases add exact discrete Gaussian noise (discrete-gaussian.ts) calibrated through this: its
 * continuous part σ₁ is this σ for the release's (ε, δ), less the sampler's reserves.
 */
import { normalCdf } from '../math/special';
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
