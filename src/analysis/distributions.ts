/**
 * Tail probabilities and quantiles for the answers' tests and intervals, in double precision.
 *
 * The normal tail is erfc-based (privacy/math/special: a continued fraction in the tail), so a
 * p-value of 1e-300 keeps its relative precision instead of rounding 1 − Φ to 0. The χ² tails
 * are the regularized incomplete gamma functions P(a, x) and Q(a, x) (Numerical Recipes §6.2:
 * the series below a + 1, the Lentz continued fraction above), each computed directly so the
 * upper tail does not come from 1 − P.
 */
import { logGamma, normalCdf } from '../privacy/math/special';
import { invalid } from './errors';

/** Φ(x), the standard normal CDF. */
export { normalCdf };

/** The two-sided p-value P(|Z| ≥ |z|). */
export function twoSidedP(z: number): number {
  if (Number.isNaN(z)) return NaN;
  return Math.min(1, 2 * normalCdf(-Math.abs(z)));
}

/**
 * Φ⁻¹(p): Acklam's rational approximation (relative error 1.2e−9) polished by one Halley step
 * against the accurate Φ, which brings it to about 1e−15.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw invalid('p', 'a probability in (0, 1)', p);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let x: number;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - low) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
      (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log1p(-p));
    x =
      -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  // Halley: the error of Φ(x) − p, taken on the smaller tail so it keeps its precision.
  const e = x < 0 ? normalCdf(x) - p : 1 - p - normalCdf(-x);
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

const EPS = 1e-16;
const TINY = 1e-300;
const MAX_STEPS = 10_000;

/** The regularized lower incomplete gamma P(a, x) = γ(a, x)/Γ(a), for a > 0, x ≥ 0. */
export function gammaP(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) throw invalid('gamma arguments', 'a > 0 and x ≥ 0', `${a}, ${x}`);
  if (x === 0) return 0;
  if (x === Infinity) return 1;
  return x < a + 1 ? gammaSeries(a, x) : 1 - gammaFraction(a, x);
}

/** The regularized upper incomplete gamma Q(a, x) = 1 − P(a, x), without cancellation when it is tiny. */
export function gammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) throw invalid('gamma arguments', 'a > 0 and x ≥ 0', `${a}, ${x}`);
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  return x < a + 1 ? 1 - gammaSeries(a, x) : gammaFraction(a, x);
}

/** P(a, x) by its series Σ xⁿ/(a(a+1)…(a+n)), e^−x x^a / Γ(a); converges fast for x < a + 1. */
function gammaSeries(a: number, x: number): number {
  let ap = a;
  let term = 1 / a;
  let sum = term;
  for (let n = 0; n < MAX_STEPS; n++) {
    ap += 1;
    term *= x / ap;
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPS) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
}

/** Q(a, x) by its continued fraction (modified Lentz); converges fast for x > a + 1. */
function gammaFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_STEPS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

/** P(χ²_df > x): the p-value of a χ² statistic. */
export function chiSquareUpper(x: number, df: number): number {
  return x <= 0 ? 1 : gammaQ(df / 2, x / 2);
}

/** The x with P(χ²_df > x) = alpha, by bisection on the upper tail (monotone, so 200 halvings settle it). */
export function chiSquareQuantileUpper(alpha: number, df: number): number {
  if (!(alpha > 0 && alpha < 1)) throw invalid('alpha', 'a probability in (0, 1)', alpha);
  let lo = 0;
  let hi = df + 10 * Math.sqrt(2 * df) + 100;
  while (chiSquareUpper(hi, df) > alpha) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (chiSquareUpper(mid, df) > alpha) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * P(χ'²_df(λ) > x), the noncentral χ² upper tail, as the Poisson(λ/2) mixture of central tails
 * Σ_i Pois(i; λ/2) Q(df/2 + i, x/2), summed outward from the Poisson mode until the weights left
 * are below 1e−15 (Ding 1992 sums the same series).
 */
export function noncentralChiSquareUpper(x: number, df: number, lambda: number): number {
  if (lambda === 0) return chiSquareUpper(x, df);
  if (x <= 0) return 1;
  const m = lambda / 2;
  const mode = Math.floor(m);
  const logWeight = (i: number) => -m + i * Math.log(m) - logGamma(i + 1);
  let total = 0;
  let mass = 0;
  for (let i = mode; ; i++) {
    const w = Math.exp(logWeight(i));
    total += w * gammaQ(df / 2 + i, x / 2);
    mass += w;
    if (w < 1e-17 && i > m) break;
  }
  for (let i = mode - 1; i >= 0; i--) {
    const w = Math.exp(logWeight(i));
    total += w * gammaQ(df / 2 + i, x / 2);
    mass += w;
    if (w < 1e-17) break;
  }
  return Math.min(1, total / mass);
}
