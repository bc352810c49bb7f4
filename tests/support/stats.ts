/**
 * Thresholds for statistical tests. Each assertion may fail for a correct
 * mechanism with probability at most ALPHA; the whole suite makes fewer than 100
 * such assertions, so a correct implementation fails a run less than once in 10^6.
 */
export const ALPHA = 1e-8;

/** Two-sided normal quantile for ALPHA (P(|Z| > 5.73) = 1.0e-8). */
export const Z_CRIT = 5.73;

/**
 * Kolmogorov–Smirnov critical distance from the Dvoretzky–Kiefer–Wolfowitz
 * inequality (Massart's constant): P(sup|F_n − F| > ε) ≤ 2e^(−2nε²). Exact for
 * any n, not asymptotic.
 */
export function ksCritical(n: number, alpha = ALPHA): number {
  return Math.sqrt(Math.log(2 / alpha) / (2 * n));
}

/** sup |F_n − F| of a sample against a continuous CDF. */
export function ksDistance(sample: Float64Array, cdf: (x: number) => number): number {
  const sorted = Float64Array.from(sample).sort();
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]!);
    d = Math.max(d, Math.abs(f - i / n), Math.abs((i + 1) / n - f));
  }
  return d;
}

/** z-score of a binomial count against its expected probability. */
export function binomialZ(count: number, n: number, p: number): number {
  return (count - n * p) / Math.sqrt(n * p * (1 - p));
}

/** Mean and sample variance. */
export function meanVar(xs: ArrayLike<number>): { mean: number; variance: number } {
  let mean = 0;
  for (let i = 0; i < xs.length; i++) mean += xs[i]! / xs.length;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i]! - mean) ** 2;
  return { mean, variance: v / (xs.length - 1) };
}

/**
 * Clopper–Pearson bounds for a binomial proportion at confidence 1 − alpha (each
 * side alpha/2), by bisection on the binomial tail written as an incomplete beta.
 */
export function clopperPearson(
  k: number,
  n: number,
  alpha: number,
  incompleteBeta: (x: number, a: number, b: number) => number,
): { lower: number; upper: number } {
  const solve = (f: (p: number) => number) => {
    let lo = 0;
    let hi = 1;
    for (let i = 0; i < 100; i++) {
      const mid = (lo + hi) / 2;
      if (f(mid) < 0) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  };
  // lower: P(X ≥ k | p) = I_p(k, n−k+1) = alpha/2; upper: P(X ≤ k | p) = 1 − I_p(k+1, n−k) = alpha/2.
  const lower = k === 0 ? 0 : solve((p) => incompleteBeta(p, k, n - k + 1) - alpha / 2);
  const upper = k === n ? 1 : solve((p) => alpha / 2 - (1 - incompleteBeta(p, k + 1, n - k)));
  return { lower, upper };
}

/** Two-sided normal critical value for probability `alpha`, by bisection on Φ. */
export function zFor(alpha: number, normalCdf: (x: number) => number): number {
  let lo = 0;
  let hi = 40;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (2 * normalCdf(-mid) > alpha) lo = mid;
    else hi = mid;
  }
  return hi;
}
