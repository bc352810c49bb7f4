/**
 * Special functions for calibration, in double precision: log-gamma (Lanczos),
 * the regularized incomplete beta function (continued fraction, Numerical
 * Recipes §6.4), and the standard normal CDF (erf series / erfc continued fraction).
 */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (relative error ~1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ln B(a, b). */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** I_x(a, b), the regularized incomplete beta function, for 0 ≤ x ≤ 1. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b);
  // The continued fraction converges fast for x < (a+1)/(a+b+2); use symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * betaContinuedFraction(x, a, b)) / a;
  return 1 - (Math.exp(logFront) * betaContinuedFraction(1 - x, b, a)) / b;
}

/**
 * The number of continued-fraction steps after which I_x(a, a) has converged to the last
 * bit for every x on the side where it is used (x ≤ 1/2); measured worst cases: 21 steps at
 * a = 47.5, 72 at a = 2047.5, so 2⌈√a⌉ + 32 leaves a margin of at least 30 steps.
 */
export function fixedBetaSteps(a: number): number {
  return 2 * Math.ceil(Math.sqrt(a)) + 32;
}

/**
 * I_x(a, b) and 1 − I_x(a, b) with EXACTLY `steps` continued-fraction steps, whatever x:
 * the same arithmetic on either side of the symmetry point, so the time taken does not
 * depend on x (a sampler inverting this CDF would otherwise leak its draw through timing).
 */
export function incompleteBetaFixed(x: number, a: number, b: number, steps: number): { lower: number; upper: number } {
  // The side is selected by arithmetic on s ∈ {0, 1}, not by a branch, so that the processor's
  // branch predictor does not make one side cheaper (one term of each sum is exactly zero).
  const s = Number(x < (a + 1) / (a + b + 2));
  const y = s * x + (1 - s) * (1 - x);
  const p = s * a + (1 - s) * b;
  const q = s * b + (1 - s) * a;
  const logFront = a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b);
  const value = (Math.exp(logFront) * betaContinuedFraction(y, p, q, steps)) / p;
  return { lower: s * value + (1 - s) * (1 - value), upper: s * (1 - value) + (1 - s) * value };
}

/** Steps after which a continued fraction that has not converged is an error rather than a slow answer. */
const MAX_STEPS = 100000;

/**
 * The continued fraction of I_x(a, b) (modified Lentz). `steps`: run exactly that many steps with no
 * early exit, so the time does not depend on x (incompleteBetaFixed); without it, stop once a step no
 * longer moves the value.
 */
function betaContinuedFraction(x: number, a: number, b: number, steps?: number): number {
  const TINY = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  d = 1 / (Math.abs(d) < TINY ? TINY : d);
  let h = d;
  for (let m = 1; m <= (steps ?? MAX_STEPS); m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    c = 1 + aa / c;
    d = 1 / (Math.abs(d) < TINY ? TINY : d);
    c = Math.abs(c) < TINY ? TINY : c;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    c = 1 + aa / c;
    d = 1 / (Math.abs(d) < TINY ? TINY : d);
    c = Math.abs(c) < TINY ? TINY : c;
    const del = d * c;
    h *= del;
    if (steps === undefined && Math.abs(del - 1) < 1e-16) return h;
  }
  if (steps === undefined) throw new Error(`incomplete beta did not converge (x=${x}, a=${a}, b=${b})`);
  return h;
}

/** erfc(x) for x ≥ 0, accurate in relative terms far into the tail. */
function erfcPositive(x: number): number {
  if (x < 2) {
    // erf series: 2/√π Σ (−1)^n x^(2n+1) / (n! (2n+1)).
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // Continued fraction (Lentz): erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))).
  const TINY = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 5000; n++) {
    const an = n / 2;
    d = x + an * d;
    d = Math.abs(d) < TINY ? 1 / TINY : 1 / d;
    c = x + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** Φ(x), the standard normal CDF, with full relative precision in the lower tail. */
export function normalCdf(x: number): number {
  const z = x / Math.SQRT2;
  return z < 0 ? 0.5 * erfcPositive(-z) : 1 - 0.5 * erfcPositive(z);
}
