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
 * I_x(a, b) and 1 − I_x(a, b) at two points of the same (a, b), written to `out` as [lower(x1), upper(x1),
 * lower(x2), upper(x2)], each with EXACTLY `steps` continued-fraction steps, whatever x: the same
 * arithmetic on either side of the symmetry point, so the time taken does not depend on x (a sampler
 * inverting this CDF would otherwise leak its draw through timing). The side is selected by arithmetic on
 * s ∈ {0, 1}, not by a branch, so that the processor's branch predictor does not make one side cheaper
 * (one term of each sum is exactly zero). The two continued fractions run interleaved, step by step, so
 * that the processor overlaps their chains of dependent divisions (a bisection on two intervals at once
 * takes about half the time of two evaluations one after the other). `logBetaAB` is logBeta(a, b),
 * computed once by a caller evaluating many x at the same (a, b).
 */
export function incompleteBetaFixedPair(
  x1: number,
  x2: number,
  a: number,
  b: number,
  steps: number,
  logBetaAB: number,
  out: Float64Array,
): void {
  const s1 = Number(x1 < (a + 1) / (a + b + 2));
  const s2 = Number(x2 < (a + 1) / (a + b + 2));
  const p1 = s1 * a + (1 - s1) * b;
  const p2 = s2 * a + (1 - s2) * b;
  continuedFractionStepsPair(
    s1 * x1 + (1 - s1) * (1 - x1),
    p1,
    s1 * b + (1 - s1) * a,
    s2 * x2 + (1 - s2) * (1 - x2),
    p2,
    s2 * b + (1 - s2) * a,
    steps,
    out,
  );
  const value1 = (Math.exp(a * Math.log(x1) + b * Math.log1p(-x1) - logBetaAB) * out[0]!) / p1;
  const value2 = (Math.exp(a * Math.log(x2) + b * Math.log1p(-x2) - logBetaAB) * out[1]!) / p2;
  out[0] = s1 * value1 + (1 - s1) * (1 - value1);
  out[1] = s1 * (1 - value1) + (1 - s1) * value1;
  out[2] = s2 * value2 + (1 - s2) * (1 - value2);
  out[3] = s2 * (1 - value2) + (1 - s2) * value2;
}

/**
 * ln I_y(a, a) and its slope in ln y, S = y·f(y)/I_y(a, a) with f the Beta(a, a) density, at two points, written
 * to `out` as [ln I(y1), S(y1), ln I(y2), S(y2)]: what a Newton step on ln I against ln y needs. Each point
 * costs EXACTLY `steps` continued-fraction steps and the same transcendental calls on either side of y = 1/2
 * (where a symmetric beta's continued fraction changes sides), selected by arithmetic, as in
 * `incompleteBetaFixedPair`. Both forms of ln I are finite for 0 < y < 1, so the unselected one is harmless.
 */
export function logIncompleteBetaSymmetricPair(
  y1: number,
  y2: number,
  a: number,
  steps: number,
  logBetaAA: number,
  out: Float64Array,
): void {
  const s1 = Number(y1 < 0.5);
  const s2 = Number(y2 < 0.5);
  continuedFractionStepsPair(s1 * y1 + (1 - s1) * (1 - y1), a, a, s2 * y2 + (1 - s2) * (1 - y2), a, a, steps, out);
  const logFront1 = a * Math.log(y1) + a * Math.log1p(-y1) - logBetaAA;
  const logFront2 = a * Math.log(y2) + a * Math.log1p(-y2) - logBetaAA;
  const ratio1 = out[0]! / a;
  const ratio2 = out[1]! / a;
  // Below 1/2 the fraction gives I itself (ln I = ln front + ln ratio); above, 1 − I.
  const log1 = s1 * (logFront1 + Math.log(ratio1)) + (1 - s1) * Math.log1p(-Math.exp(logFront1) * ratio1);
  const log2 = s2 * (logFront2 + Math.log(ratio2)) + (1 - s2) * Math.log1p(-Math.exp(logFront2) * ratio2);
  out[0] = log1;
  out[1] = Math.exp(logFront1 - log1) / (1 - y1);
  out[2] = log2;
  out[3] = Math.exp(logFront2 - log2) / (1 - y2);
}

/**
 * `betaContinuedFraction` for two points, run for a fixed number of steps with no early exit, interleaved;
 * the results go to out[0] and out[1].
 */
function continuedFractionStepsPair(
  x1: number,
  a1: number,
  b1: number,
  x2: number,
  a2: number,
  b2: number,
  steps: number,
  out: Float64Array,
): void {
  const TINY = 1e-300;
  const qab1 = a1 + b1;
  const qap1 = a1 + 1;
  const qam1 = a1 - 1;
  const qab2 = a2 + b2;
  const qap2 = a2 + 1;
  const qam2 = a2 - 1;
  let c1 = 1;
  let c2 = 1;
  let d1 = 1 - (qab1 * x1) / qap1;
  let d2 = 1 - (qab2 * x2) / qap2;
  d1 = 1 / (Math.abs(d1) < TINY ? TINY : d1);
  d2 = 1 / (Math.abs(d2) < TINY ? TINY : d2);
  let h1 = d1;
  let h2 = d2;
  for (let m = 1; m <= steps; m++) {
    const m2 = 2 * m;
    let aa1 = (m * (b1 - m) * x1) / ((qam1 + m2) * (a1 + m2));
    let aa2 = (m * (b2 - m) * x2) / ((qam2 + m2) * (a2 + m2));
    d1 = 1 + aa1 * d1;
    d2 = 1 + aa2 * d2;
    c1 = 1 + aa1 / c1;
    c2 = 1 + aa2 / c2;
    d1 = 1 / (Math.abs(d1) < TINY ? TINY : d1);
    d2 = 1 / (Math.abs(d2) < TINY ? TINY : d2);
    c1 = Math.abs(c1) < TINY ? TINY : c1;
    c2 = Math.abs(c2) < TINY ? TINY : c2;
    h1 *= d1 * c1;
    h2 *= d2 * c2;
    aa1 = (-(a1 + m) * (qab1 + m) * x1) / ((a1 + m2) * (qap1 + m2));
    aa2 = (-(a2 + m) * (qab2 + m) * x2) / ((a2 + m2) * (qap2 + m2));
    d1 = 1 + aa1 * d1;
    d2 = 1 + aa2 * d2;
    c1 = 1 + aa1 / c1;
    c2 = 1 + aa2 / c2;
    d1 = 1 / (Math.abs(d1) < TINY ? TINY : d1);
    d2 = 1 / (Math.abs(d2) < TINY ? TINY : d2);
    c1 = Math.abs(c1) < TINY ? TINY : c1;
    c2 = Math.abs(c2) < TINY ? TINY : c2;
    h1 *= d1 * c1;
    h2 *= d2 * c2;
  }
  out[0] = h1;
  out[1] = h2;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const TINY = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 100000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) return h;
  }
  throw new Error(`incomplete beta did not converge (x=${x}, a=${a}, b=${b})`);
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
