// An independent normal CDF and analytic Gaussian mechanism for the tests: the erf series below 3,
// the continued fraction above; nothing here is shared with src/privacy/math/special.ts.

/** erfc(x) for x ≥ 0, to about 1e-13 absolute below 3 and 1e-15 relative above. */
function erfcNonNegative(x: number): number {
  if (x < 3) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
      if (Math.abs(term) < 1e-18) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated from the bottom.
  let tail = x;
  for (let k = 300; k >= 1; k--) tail = x + k / 2 / tail;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / tail;
}

/** Φ(x), the standard normal CDF. */
export function referencePhi(x: number): number {
  const z = x / Math.SQRT2;
  return z < 0 ? 0.5 * erfcNonNegative(-z) : 1 - 0.5 * erfcNonNegative(z);
}

/** Balle & Wang 2018, Theorem 8: the δ of N(0, σ²) noise at L2 sensitivity Δ and ε (any real ε). */
export function referenceGaussianDelta(sigma: number, epsilon: number, sensitivity: number): number {
  const a = sensitivity / (2 * sigma);
  const b = (epsilon * sigma) / sensitivity;
  const tail = referencePhi(-a - b);
  return referencePhi(a - b) - (tail === 0 ? 0 : Math.exp(epsilon + Math.log(tail)));
}

/** The smallest σ with δ(σ) ≤ δ, by bisection on a log scale to 1e-12 relative. */
export function referenceAnalyticSigma(epsilon: number, delta: number, sensitivity: number): number {
  let lo = sensitivity * 1e-6;
  let hi = sensitivity * 1e6;
  for (let i = 0; i < 200; i++) {
    const mid = Math.sqrt(lo * hi);
    if (referenceGaussianDelta(mid, epsilon, sensitivity) > delta) lo = mid;
    else hi = mid;
    if (hi / lo - 1 < 1e-12) break;
  }
  return hi;
}
