/**
 * Unbiased aggregates over received reports (pure). Vector reports already carry
 * unbiased estimates, so the mean of n reports is an unbiased estimate of the mean
 * embedding; its expected squared error is estimated by Σ_j s_j² / n from the
 * reports' own per-coordinate sample variances. Categorical reports are debiased
 * with the k-RR / OUE estimator.
 */
import { estimateFrequencies, krrProbabilities, oueProbabilities } from '../src/privacy/index';
import type { Report } from '../src/report/schema';

export interface VectorAggregate {
  readonly key: GroupKey;
  readonly count: number;
  readonly mean: number[];
  /** Estimate of E‖mean − true mean‖² (null below two reports). */
  readonly expectedError: number | null;
}

export interface CategoryAggregate {
  readonly key: GroupKey & { codebook: string; k: number };
  readonly count: number;
  /** Unbiased frequency estimates, one per category (may be negative or above 1 for small n). */
  readonly frequencies: number[];
}

export interface GroupKey {
  readonly scope: string;
  readonly model: string;
  readonly projection: string | null;
  readonly mechanism: string;
  readonly epsilon: number;
}

export function groupKeyOf(r: Report): GroupKey {
  return { scope: r.scope, model: `${r.model.id}/${r.model.layer}/${r.model.dims}`, projection: r.projection?.id ?? null, mechanism: r.mechanism.name, epsilon: r.mechanism.epsilon };
}

/** Vector reports of one group (same dimension) to their mean and its estimated error. */
export function aggregateVectors(key: GroupKey, vectors: readonly (readonly number[])[]): VectorAggregate {
  const n = vectors.length;
  const d = vectors[0]?.length ?? 0;
  const sum = new Float64Array(d);
  const sumSq = new Float64Array(d);
  for (const v of vectors) {
    for (let j = 0; j < d; j++) {
      sum[j]! += v[j]!;
      sumSq[j]! += v[j]! * v[j]!;
    }
  }
  const mean = Array.from(sum, (s) => s / n);
  let err: number | null = null;
  if (n >= 2) {
    err = 0;
    for (let j = 0; j < d; j++) err += (sumSq[j]! - n * mean[j]! * mean[j]!) / (n - 1) / n;
  }
  return { key, count: n, mean, expectedError: err };
}

/** Category reports of one group to unbiased frequencies. */
export function aggregateCategories(key: GroupKey, codebook: string, k: number, mechanism: 'krr' | 'oue', epsilon: number, categories: readonly ({ value: number } | { bits: readonly number[] })[]): CategoryAggregate {
  const counts = new Array<number>(k).fill(0);
  for (const c of categories) {
    if ('value' in c) counts[c.value]!++;
    else c.bits.forEach((b, i) => (counts[i]! += b));
  }
  const { p, q } = mechanism === 'krr' ? krrProbabilities(epsilon, k) : oueProbabilities(epsilon);
  return { key: { ...key, codebook, k }, count: categories.length, frequencies: Array.from(estimateFrequencies(counts, categories.length, p, q)) };
}
