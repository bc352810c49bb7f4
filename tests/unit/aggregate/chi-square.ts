// Chi-square tail and critical values for the statistical tests of aggregate release:
// the regularized upper incomplete gamma Q(k/2, x/2), by its series below a + 1 and its
// continued fraction (modified Lentz) above.
import { logGamma } from '../../../src/privacy/math/special';

function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const front = Math.exp(-x + a * Math.log(x) - logGamma(a));
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (term < sum * 1e-16) break;
    }
    return 1 - front * sum;
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return front * h;
}

/** P(χ²_df > x). */
export function chiSquareTail(x: number, df: number): number {
  return gammaQ(df / 2, x / 2);
}

/** The x with P(χ²_df > x) = alpha, by bisection. */
export function chiSquareCritical(df: number, alpha: number): number {
  let lo = 0;
  let hi = df + 100 * Math.sqrt(2 * df) + 200;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (chiSquareTail(mid, df) > alpha) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Pearson's statistic of observed counts against expected counts (bins with expectation ≥ 5 each). */
export function pearson(observed: ArrayLike<number>, expected: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < observed.length; i++) s += (observed[i]! - expected[i]!) ** 2 / expected[i]!;
  return s;
}
