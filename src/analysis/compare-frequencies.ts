/**
 * Two independent groups' category frequencies compared, both reported with the same mechanism
 * (k-RR or OUE at one ε and k).
 *
 * Per category v: f̂ = (c_v/n − q)/(p − q) is unbiased with Var = π_v(1 − π_v)/(n(p − q)²), π_v =
 * f_v p + (1 − f_v) q the probability that a report counts for v. The difference f̂_A − f̂_B has the
 * standard error √(se_A² + se_B²) (each at its estimate clamped to [0, 1], as GET /aggregates
 * reports it), an interval ± z_0.975·se and a two-sided z-test.
 *
 * Overall (H0: f_A = f_B, which holds iff π_A = π_B since π is an affine bijection of f):
 *  - k-RR: each report counts for exactly one category, so the counts are multinomial; Pearson's
 *    χ² test of homogeneity of the 2 × k table of reported counts, df = k − 1 (categories no report
 *    reached on either side are left out, one df each).
 *  - OUE: each report sets several bits; bit v is Bernoulli(π_v), and bits u ≠ v of one report are
 *    only weakly dependent (Cov = −(p − q)² f_u f_v). The Wald statistic Σ_v (π̂_Av − π̂_Bv)² /
 *    (π̄_v(1 − π̄_v)(1/n_A + 1/n_B)) with the pooled π̄_v, referred to χ² with df = k.
 */
import { chiSquareUpper, normalQuantile, twoSidedP } from './distributions';
import type { TestResult } from './compare-means';
import { invalid } from './errors';
import { sameLength, type CategoryTotals } from './totals';

export interface FrequencyEstimates {
  readonly count: number;
  readonly frequencies: number[];
  readonly standardErrors: number[];
  readonly ci95: [number, number][];
}

export interface FrequencyDifference {
  readonly difference: number;
  readonly ci95: [number, number];
  readonly z: number;
  readonly pValue: number;
}

export interface FrequencyComparison {
  readonly a: FrequencyEstimates;
  readonly b: FrequencyEstimates;
  readonly differences: FrequencyDifference[];
  readonly test: TestResult;
}

const Z95 = normalQuantile(0.975);

/** Unbiased frequencies, their standard errors and 95% intervals (f̂ ± z·se). */
export function frequencyEstimates(t: CategoryTotals): FrequencyEstimates {
  const n = t.count;
  const { p, q } = t;
  if (!(p > q)) throw invalid('p', `larger than q (${q})`, p);
  if (n <= 0) {
    const k = t.counts.length;
    return {
      count: n,
      frequencies: new Array<number>(k).fill(0),
      standardErrors: new Array<number>(k).fill(Infinity),
      ci95: Array.from({ length: k }, () => [-Infinity, Infinity] as [number, number]),
    };
  }
  const frequencies = t.counts.map((c) => (c / n - q) / (p - q));
  const standardErrors = frequencies.map((f) => {
    const clamped = Math.min(1, Math.max(0, f));
    const pi = clamped * p + (1 - clamped) * q;
    return Math.sqrt((pi * (1 - pi)) / (n * (p - q) * (p - q)));
  });
  const ci95 = frequencies.map(
    (f, v) => [f - Z95 * standardErrors[v]!, f + Z95 * standardErrors[v]!] as [number, number],
  );
  return { count: n, frequencies, standardErrors, ci95 };
}

export function compareFrequencies(
  a: CategoryTotals,
  b: CategoryTotals,
  mechanism: 'krr' | 'oue',
): FrequencyComparison {
  sameLength(a.counts, b.counts, 'counts');
  if (a.p !== b.p || a.q !== b.q) throw invalid('mechanism', 'the same p and q on both sides', `${b.p}, ${b.q}`);
  if (a.count < 1 || b.count < 1) throw invalid('count', 'at least 1 report on each side', `${a.count}, ${b.count}`);
  const A = frequencyEstimates(a);
  const B = frequencyEstimates(b);
  const differences = A.frequencies.map((fa, v) => {
    const difference = fa - B.frequencies[v]!;
    const se = Math.hypot(A.standardErrors[v]!, B.standardErrors[v]!);
    const z = se > 0 ? difference / se : difference === 0 ? 0 : Math.sign(difference) * Infinity;
    return {
      difference,
      ci95: [difference - Z95 * se, difference + Z95 * se] as [number, number],
      z,
      pValue: twoSidedP(z),
    };
  });
  const test = mechanism === 'krr' ? homogeneity(a, b) : ouePooledWald(a, b);
  return { a: A, b: B, differences, test };
}

/** Pearson's χ² for a 2 × k table of multinomial counts. */
function homogeneity(a: CategoryTotals, b: CategoryTotals): TestResult {
  const n = a.count + b.count;
  let statistic = 0;
  let used = 0;
  a.counts.forEach((ca, v) => {
    const cb = b.counts[v]!;
    const column = ca + cb;
    if (column === 0) return;
    used++;
    const ea = (a.count * column) / n;
    const eb = (b.count * column) / n;
    statistic += (ca - ea) ** 2 / ea + (cb - eb) ** 2 / eb;
  });
  const df = Math.max(0, used - 1);
  return { statistic, df, pValue: df === 0 ? 1 : chiSquareUpper(statistic, df), method: 'pearson-chi2-homogeneity' };
}

/** Wald χ² on the per-bit proportions with pooled variances, bits taken as independent. */
function ouePooledWald(a: CategoryTotals, b: CategoryTotals): TestResult {
  let statistic = 0;
  let df = 0;
  a.counts.forEach((ca, v) => {
    const cb = b.counts[v]!;
    const pooled = (ca + cb) / (a.count + b.count);
    const variance = pooled * (1 - pooled) * (1 / a.count + 1 / b.count);
    if (variance === 0) return;
    df++;
    statistic += (ca / a.count - cb / b.count) ** 2 / variance;
  });
  return { statistic, df, pValue: df === 0 ? 1 : chiSquareUpper(statistic, df), method: 'wald-chi2-pooled-bits' };
}
