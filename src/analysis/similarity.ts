/**
 * The inner product and cosine of two groups' population means, from independent groups.
 *
 * Independence makes x̄_A·x̄_B unbiased for μ_A·μ_B (no noise term: E x̄_Aj x̄_Bj = μ_Aj μ_Bj). Its
 * variance (coordinates independent): Σ_j μ_Aj² σ_Bj²/n_B + μ_Bj² σ_Aj²/n_A + σ_Aj² σ_Bj²/(n_A n_B),
 * with the plug-ins of norm-squared.ts (unbiased μ_j², the signal part clamped at 0 once summed).
 *
 * The naive cosine of the noisy means, x̄_A·x̄_B/(‖x̄_A‖‖x̄_B‖), shrinks towards 0 as noise inflates
 * the norms. The corrected cosine divides the unbiased dot product by √(N̂_A N̂_B) (norm-squared.ts):
 * each part converges to its true value, so the ratio is consistent, but a ratio of unbiased
 * estimates is not unbiased. When N̂_A ≤ 0 or N̂_B ≤ 0 (the noise outweighs the signal: common for
 * few reports at small ε) there is no corrected cosine: null with the reason.
 */
import { normSquared } from './norm-squared';
import { moments, sameLength, type Estimate, type VectorTotals } from './totals';

export interface Cosine {
  /** μ_A·μ_B/(‖μ_A‖‖μ_B‖) estimated consistently; null when a squared norm estimate is ≤ 0. */
  readonly corrected: number | null;
  /** Why `corrected` is null. */
  readonly reason?: string;
  /** Cosine of the noisy means (biased towards 0); null when a mean is exactly 0. */
  readonly naive: number | null;
}

export function dot(a: VectorTotals, b: VectorTotals): Estimate {
  sameLength(a.sums, b.sums, 'sums');
  const A = moments(a);
  const B = moments(b);
  let estimate = 0;
  let signal = 0;
  let noise = 0;
  A.mean.forEach((ma, j) => {
    const mb = B.mean[j]!;
    const va = A.variance[j]!;
    const vb = B.variance[j]!;
    estimate += ma * mb;
    signal += ((ma * ma - va / a.count) * vb) / b.count + ((mb * mb - vb / b.count) * va) / a.count;
    noise += (va * vb) / (a.count * b.count);
  });
  return { estimate, standardError: Math.sqrt(Math.max(0, signal) + noise) };
}

export function cosine(a: VectorTotals, b: VectorTotals): Cosine {
  const d = dot(a, b).estimate;
  const na = normSquared(a).estimate;
  const nb = normSquared(b).estimate;
  const meanA = a.sums.map((s) => s / a.count);
  const meanB = b.sums.map((s) => s / b.count);
  const lengths = Math.sqrt(sumSquares(meanA) * sumSquares(meanB));
  const naive = lengths > 0 ? meanA.reduce((s, x, j) => s + x * meanB[j]!, 0) / lengths : null;
  if (na <= 0 || nb <= 0) {
    const side = na <= 0 && nb <= 0 ? 'both groups' : na <= 0 ? 'group a' : 'group b';
    return {
      corrected: null,
      reason: `the estimate of ‖mean‖² is ≤ 0 for ${side}: the noise outweighs the signal, more reports are needed`,
      naive,
    };
  }
  return { corrected: d / Math.sqrt(na * nb), naive };
}

function sumSquares(x: readonly number[]): number {
  return x.reduce((s, v) => s + v * v, 0);
}
