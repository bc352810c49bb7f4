/**
 * Reports needed per group (two groups of equal size) for the collector's tests to detect a given
 * difference with a given power, at two-sided level α.
 *
 * Category share p1 vs p2 (k-RR or OUE at ε, k categories), for the per-category z-test of
 * compare-frequencies.ts: f̂ has variance V(f)/n with V(f) = π(1 − π)/(p − q)², π = f p + (1 − f) q, so
 *   n = ⌈(z_{1−α/2} + z_power)² (V(p1) + V(p2)) / (p1 − p2)²⌉.
 *
 * Mean difference of L2 length Δ (PrivUnit on unit vectors, or the Gaussian on vectors clipped to
 * norm C, at ε and d), for the Wald χ²_d test of compare-means.ts: each report's covariance has
 * trace E‖r − μ‖² = mse + E‖x‖² − ‖μ‖² ≤ mse + R² (R = 1, or C), mse the mechanism's calibrated
 * E‖r − x‖². Spread evenly over the coordinates (PrivUnit's noise is isotropic), σ² = (mse + R²)/d
 * per coordinate, and W follows a noncentral χ²_d with λ = nΔ²/(2σ²). The smallest λ whose power
 * reaches the target gives n = ⌈2σ²λ/Δ²⌉. Taking the worst case R² for the data's own spread makes
 * n slightly conservative when the vectors agree.
 */
import { expectedMse, krrProbabilities, oueProbabilities, validateParams } from '../privacy/index';
import { chiSquareQuantileUpper, noncentralChiSquareUpper, normalQuantile } from './distributions';
import { invalid } from './errors';

export type SampleSizeQuestion =
  | {
      readonly question: 'category';
      readonly mechanism: 'krr' | 'oue';
      readonly epsilon: number;
      readonly k: number;
      readonly p1: number;
      readonly p2: number;
      readonly alpha: number;
      readonly power: number;
    }
  | {
      readonly question: 'mean';
      readonly mechanism: 'privunit' | 'gaussian';
      readonly epsilon: number;
      readonly dims: number;
      /** ‖μ_A − μ_B‖ in the units of the prepared vectors (unit sphere; Gaussian: clip C). */
      readonly effect: number;
      readonly alpha: number;
      readonly power: number;
      /** Gaussian only. */
      readonly delta?: number;
      /** Gaussian only (default 1). */
      readonly clip?: number;
    };

export type SampleSize = SampleSizeQuestion & {
  /** Reports needed in each of the two groups. */
  readonly perGroup: number;
  /** The test the size is for. */
  readonly test: string;
  readonly assumptions: string[];
};

export function sampleSize(s: SampleSizeQuestion): SampleSize {
  if (!(s.alpha > 0 && s.alpha < 1)) throw invalid('alpha', 'a number in (0, 1)', s.alpha);
  if (!(s.power > s.alpha && s.power < 1)) throw invalid('power', `a number in (alpha = ${s.alpha}, 1)`, s.power);
  return s.question === 'category' ? categorySize(s) : meanSize(s);
}

function categorySize(s: Extract<SampleSizeQuestion, { question: 'category' }>): SampleSize {
  validateParams({ name: s.mechanism, epsilon: s.epsilon, k: s.k });
  for (const [name, v] of [
    ['p1', s.p1],
    ['p2', s.p2],
  ] as const)
    if (!(v >= 0 && v <= 1)) throw invalid(name, 'a share in [0, 1]', v);
  if (s.p1 === s.p2) throw invalid('p2', `different from p1 (${s.p1})`, s.p2);
  const { p, q } = s.mechanism === 'krr' ? krrProbabilities(s.epsilon, s.k) : oueProbabilities(s.epsilon);
  const variance = (f: number) => {
    const pi = f * p + (1 - f) * q;
    return (pi * (1 - pi)) / ((p - q) * (p - q));
  };
  const z = normalQuantile(1 - s.alpha / 2) + normalQuantile(s.power);
  const perGroup = countOf((z * z * (variance(s.p1) + variance(s.p2))) / (s.p1 - s.p2) ** 2, 'p2');
  return {
    ...s,
    perGroup,
    test: 'two-sided z-test of one category share (GET /compare differences[v])',
    assumptions: [
      'two independent groups of equal size',
      `reports of one category share ${s.mechanism} at epsilon ${s.epsilon} over ${s.k} categories`,
      'normal approximation to the frequency estimate',
    ],
  };
}

function meanSize(s: Extract<SampleSizeQuestion, { question: 'mean' }>): SampleSize {
  const params =
    s.mechanism === 'privunit'
      ? ({ name: 'privunit', epsilon: s.epsilon } as const)
      : ({ name: 'gaussian', epsilon: s.epsilon, delta: s.delta ?? NaN, clip: s.clip ?? 1 } as const);
  if (!(s.effect > 0 && Number.isFinite(s.effect))) throw invalid('effect', 'a positive L2 distance', s.effect);
  const mse = expectedMse(params, s.dims);
  const radius = params.name === 'privunit' ? 1 : params.clip;
  if (s.effect > 2 * radius)
    throw invalid('effect', `at most ${2 * radius} (two vectors of norm ≤ ${radius})`, s.effect);
  const sigma2 = (mse + radius * radius) / s.dims;
  const lambda = noncentralityFor(s.dims, s.alpha, s.power);
  const perGroup = Math.max(2, countOf((2 * sigma2 * lambda) / (s.effect * s.effect), 'effect'));
  return {
    ...s,
    perGroup,
    test: 'Wald chi-square test of equal means, diagonal covariance (GET /compare vectors[].test)',
    assumptions: [
      'two independent groups of equal size',
      `per-report noise E‖r − x‖² = ${mse} (${s.mechanism} calibration at epsilon ${s.epsilon}, ${s.dims} dims)`,
      `the data's own spread at its worst (‖x‖ ≤ ${radius}), noise spread evenly over the coordinates`,
    ],
  };
}

/** ⌈x⌉ as a count of reports; a difference so small that no count could find it is refused, naming it. */
function countOf(x: number, parameter: string): number {
  const n = Math.ceil(x);
  if (!Number.isSafeInteger(n))
    throw invalid(parameter, 'a difference some number of reports below 2^53 can detect', `one needing ${x}`);
  return n;
}

/** The smallest λ with P(χ'²_d(λ) > c_α) ≥ power, by bisection (the tail grows with λ). */
export function noncentralityFor(df: number, alpha: number, power: number): number {
  const c = chiSquareQuantileUpper(alpha, df);
  let lo = 0;
  let hi = 1;
  while (noncentralChiSquareUpper(c, df, hi) < power) hi *= 2;
  for (let i = 0; i < 100 && hi - lo > 1e-9 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (noncentralChiSquareUpper(c, df, mid) < power) lo = mid;
    else hi = mid;
  }
  return hi;
}
