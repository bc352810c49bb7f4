/**
 * An unbiased estimate of ‖μ‖², the squared length of the population mean.
 *
 * ‖x̄‖² is biased upwards by the noise: E x̄_j² = μ_j² + σ_j²/n. With s_j² unbiased for σ_j²,
 *   N̂ = ‖x̄‖² − Σ_j s_j²/n,  E N̂ = ‖μ‖²  (exactly, for any distribution of independent reports).
 * Its variance, coordinates taken as independent (the totals hold no cross products) and the
 * fourth moments as a normal's: Var N̂ = Σ_j 4μ_j²σ_j²/n + 2σ_j⁴/(n(n − 1)), estimated by plugging
 * in s_j² and x̄_j² − s_j²/n for μ_j², the signal sum Σ_j 4μ_j²σ_j²/n clamped at 0 only once summed
 * (clamping each term would bias it upwards when the noise dominates).
 */
import { moments, type Estimate, type VectorTotals } from './totals';

export function normSquared(t: VectorTotals): Estimate {
  const n = t.count;
  const { mean, variance } = moments(t);
  let estimate = 0;
  let signal = 0;
  let noise = 0;
  mean.forEach((m, j) => {
    const s2 = variance[j]!;
    const mu2 = m * m - s2 / n;
    estimate += mu2;
    signal += (4 * mu2 * s2) / n;
    noise += (2 * s2 * s2) / (n * (n - 1));
  });
  return { estimate, standardError: Math.sqrt(Math.max(0, signal) + noise) };
}
