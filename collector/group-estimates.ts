/**
 * Unbiased estimates from each group's running totals, as GET /aggregates answers them (pure: no I/O).
 *
 * A vector report is already an unbiased estimate of one person's prepared
 * (normalised / projected / clipped) feature vector, so the mean of n reports is
 * S/n with S the per-coordinate sum. Its expected squared error E‖mean − true mean‖²
 * is estimated as Σ_j s_j²/n with s_j² = (Q_j − S_j²/n)/(n − 1) the per-coordinate
 * sample variance from the sum of squares Q. The mechanism's calibration gives the
 * noise part: E‖r − x‖²/n from the parameters every report of the group carries (calibratedNoiseMse).
 *
 * Category reports are debiased with the k-RR / OUE estimator of the privacy core,
 * f̂_v = (c_v/n − q)/(p − q) (Wang, Blocki, Li, Jha 2017). Each is also given as a reader should
 * see it (src/analysis/category-shares.ts): with its codebook label, projected onto the simplex,
 * with an exact interval, and with a warning while the group is too small to read.
 *
 * Numeric error: totals are float8 sums. Recursive summation of n terms errs by at
 * most (n − 1)·u·Σ|x_i| (u = 2^−53): relative 1.1e−10 at n = 10^6, against a noise
 * of the mean that is of the order of the values themselves divided by √n. Verified
 * reports are bounded and dominated by their noise (Var ≥ mean² per coordinate for
 * PrivUnit, Laplace and Gaussian at any useful ε), so Q − S²/n does not cancel.
 */
import {
  categoryShares,
  normSquared,
  SMALL_SAMPLE_HALF_WIDTH,
  normalQuantile,
  type Estimate,
} from '../src/analysis/index';
import { estimateFrequencies, frequencyVariance, krrProbabilities, oueProbabilities } from '../src/privacy/index';
import { calibratedNoiseMse } from '../src/report/calibration-check';
import type { CodebookSimilarity } from './codebook-similarity';
import type { CategoryGroupKey, Group, GroupKey } from './groups';

const Z95 = normalQuantile(0.975);

/** The running totals of one group (summed over days and slots). */
export interface GroupTotals {
  readonly group: Group;
  readonly count: number;
  /** Per-coordinate sums (vectors), or reported counts per category. */
  readonly sums: readonly number[];
  /** Per-coordinate sums of squares (vectors only). */
  readonly squares: readonly number[] | null;
}

export interface VectorAggregate {
  readonly key: GroupKey;
  readonly count: number;
  readonly mean: number[];
  /** Empirical estimate of E‖mean − true mean‖² (null below two reports). */
  readonly expectedError: number | null;
  /** Per coordinate, the standard error of the mean, s_j/√n (null below two reports). */
  readonly standardErrors: number[] | null;
  /** The mechanism noise alone, E‖r − x‖²/n from its calibration. */
  readonly theoreticalError: number | null;
  /** Unbiased ‖true mean‖² with its standard error (docs/answers.md; null below two reports). */
  readonly normSquared: Estimate | null;
  /** The mean against each known codebook of its model (codebook-similarity.ts); absent when none applies. */
  readonly similarity?: readonly CodebookSimilarity[];
}

export interface CategoryAggregate {
  readonly key: CategoryGroupKey;
  readonly count: number;
  /** Reported counts per category (k-RR: reported value; OUE: bit set). */
  readonly counts: number[];
  /** Unbiased frequency estimates, one per category (may fall outside [0, 1] for small n). */
  readonly frequencies: number[];
  /** Standard error of each estimate, at the estimate clamped to [0, 1]. */
  readonly standardErrors: number[];
  /** 95% interval of each frequency, estimate ± 1.96 standard errors (null bounds when n = 0). */
  readonly ci95: [number, number][];
  /** The codebook's labels, one per category (null when the collector was not given that codebook). */
  readonly labels: readonly string[] | null;
  /** One per category: the estimate with its label, its simplex projection and its exact interval. */
  readonly shares: LabelledShare[];
  /** Confidence level of each share's interval. */
  readonly level: number;
  /** The count from which each share's interval is within ±10 points. */
  readonly minimumCount: number;
  /** True while count < minimumCount. */
  readonly smallSample: boolean;
  /** What a reader must know before reading the shares (null when nothing). */
  readonly warning: string | null;
}

/** One category's share, as a reader should see it. */
export interface LabelledShare {
  /** The codebook's name of the category (null when the collector was not given that codebook). */
  readonly label: string | null;
  /** The unbiased estimate (the same number as `frequencies`; may lie outside [0, 1] at small n). */
  readonly estimate: number;
  /** The share after projecting every estimate of the group onto the simplex: in [0, 1], summing to 1. */
  readonly projected: number;
  /** Exact (Clopper–Pearson) interval of the share at `level`, within [0, 1]. */
  readonly interval: [number, number];
}

/** The labels of a codebook by id, when the collector knows it. */
export type LabelsOf = (codebook: string) => readonly string[] | undefined;

/** A group whose aggregate could not be computed: it is reported alone, the other groups are still served. */
export interface FailedAggregate {
  readonly key: GroupKey;
  readonly error: { readonly name: string; readonly message: string };
}

export interface Aggregates {
  readonly vectors: VectorAggregate[];
  readonly categories: CategoryAggregate[];
  readonly failed: FailedAggregate[];
}

export function vectorEstimate(t: GroupTotals): VectorAggregate {
  const n = t.count;
  const dims = t.group.size;
  const mean = t.sums.map((s) => (n === 0 ? 0 : s / n));
  let empirical: number | null = null;
  let standardErrors: number[] | null = null;
  if (n >= 2 && t.squares) {
    empirical = 0;
    standardErrors = new Array<number>(dims);
    for (let j = 0; j < dims; j++) {
      const s = t.sums[j]!;
      // Rounding can leave a tiny negative where the true variance is 0.
      const varianceOfMean = Math.max(0, t.squares[j]! - (s * s) / n) / (n - 1) / n;
      empirical += varianceOfMean;
      standardErrors[j] = Math.sqrt(varianceOfMean);
    }
  }
  return {
    key: t.group.key,
    count: n,
    mean,
    expectedError: empirical,
    standardErrors,
    theoreticalError: n > 0 ? noiseError(t.group, n) : null,
    normSquared: n >= 2 && t.squares ? normSquared({ count: n, sums: t.sums, squares: t.squares }) : null,
  };
}

export function categoryEstimate(t: GroupTotals, labelsOf: LabelsOf = () => undefined): CategoryAggregate {
  const key = t.group.key as CategoryGroupKey;
  const { epsilon, k } = key;
  const n = t.count;
  const { p, q } = key.mechanism === 'krr' ? krrProbabilities(epsilon, k) : oueProbabilities(epsilon);
  const counts = [...t.sums];
  const frequencies = n === 0 ? new Array<number>(k).fill(0) : Array.from(estimateFrequencies(counts, n, p, q));
  const standardErrors = frequencies.map((f) =>
    n === 0 ? Infinity : Math.sqrt(frequencyVariance(Math.min(1, Math.max(0, f)), n, p, q)),
  );
  const ci95 = frequencies.map(
    (f, v) => [f - Z95 * standardErrors[v]!, f + Z95 * standardErrors[v]!] as [number, number],
  );
  const read = categoryShares({ count: n, counts, p, q });
  const shares = read.shares.map((s) => ({ label: null, ...s }));
  const warning = smallSampleWarning(n, read.minimumCount, frequencies);
  const { level, minimumCount, smallSample } = read;
  const unlabelled = { key, count: n, counts, frequencies, standardErrors, ci95, labels: null, shares };
  return withLabels({ ...unlabelled, level, minimumCount, smallSample, warning }, labelsOf);
}

/** The aggregate with its codebook's labels, when the collector knows that codebook and its k matches. */
export function withLabels(a: CategoryAggregate, labelsOf: LabelsOf): CategoryAggregate {
  const known = labelsOf(a.key.codebook);
  if (!known || known.length !== a.key.k) return a;
  return { ...a, labels: [...known], shares: a.shares.map((s, v) => ({ ...s, label: known[v]! })) };
}

function smallSampleWarning(n: number, minimum: number, estimates: readonly number[]): string | null {
  if (n >= minimum) return null;
  const outside = estimates.some((f) => f < 0 || f > 1);
  return (
    `only ${n} report${n === 1 ? '' : 's'}: a share may be off by more than ` +
    `${SMALL_SAMPLE_HALF_WIDTH * 100} points (about ${minimum} reports are needed); read the intervals` +
    (outside ? ', and the projected shares: estimates outside 0–1 come from the noise.' : '.')
  );
}

/** Every group's aggregate; a group that fails is listed in `failed` instead of failing the others. */
export function estimateGroups(totals: Iterable<GroupTotals>, labelsOf?: LabelsOf): Aggregates {
  const out: Aggregates = { vectors: [], categories: [], failed: [] };
  for (const t of totals) {
    try {
      if (t.group.kind === 'vector') out.vectors.push(vectorEstimate(t));
      else out.categories.push(categoryEstimate(t, labelsOf));
    } catch (err) {
      const { name, message } = err instanceof Error ? err : { name: 'Error', message: String(err) };
      out.failed.push({ key: t.group.key, error: { name, message } });
    }
  }
  return out;
}

/** E‖mean − mean of the clean inputs‖² from the parameters the group's reports carry (σ, step, scale…). */
function noiseError(group: Group, n: number): number | null {
  try {
    return calibratedNoiseMse(group.mechanism, group.size) / n;
  } catch {
    return null;
  }
}
