/**
 * Unbiased aggregates over received reports (pure: no I/O).
 *
 * Vector reports already carry unbiased estimates of each person's prepared
 * (normalised / projected / clipped) feature vector, so the plain mean of n reports
 * is an unbiased estimate of the mean. Its expected squared error
 * E‖mean − true mean‖² is estimated from the reports themselves as Σ_j s_j² / n,
 * with s_j² the per-coordinate sample variance (Welford's update, so large means
 * do not cancel the variance away). When every report of a group was made with
 * the same mechanism parameters, the mechanism's own calibration also gives the
 * noise part exactly: E‖r − x‖² / n.
 *
 * Category reports are debiased with the k-RR / OUE estimator of the privacy core,
 * f̂_v = (c_v/n − q) / (p − q) (Wang, Blocki, Li, Jha 2017).
 */
import {
  estimateFrequencies,
  expectedMse,
  frequencyVariance,
  krrProbabilities,
  oueProbabilities,
  type VectorMechanismParams,
} from '../src/privacy/index';
import type { CategoryReport, Report, VectorReport } from '../src/report/schema';

/** What reports must share to be averaged together. */
export interface GroupKey {
  readonly scope: string;
  /** `id/layer/dims` of the feature extractor. */
  readonly model: string;
  readonly projection: string | null;
  readonly mechanism: string;
  readonly epsilon: number;
}

export interface VectorAggregate {
  readonly key: GroupKey;
  readonly count: number;
  readonly mean: number[];
  /** Empirical estimate of E‖mean − true mean‖² (null below two reports). */
  readonly expectedError: number | null;
  /** The mechanism noise alone, E‖r − x‖²/n from its calibration, when all reports share their parameters; else null. */
  readonly theoreticalError: number | null;
}

export interface CategoryAggregate {
  readonly key: GroupKey & { readonly codebook: string; readonly k: number };
  readonly count: number;
  /** Reported counts per category (k-RR: reported value; OUE: bit set). */
  readonly counts: number[];
  /** Unbiased frequency estimates, one per category (may fall outside [0, 1] for small n). */
  readonly frequencies: number[];
  /** Standard error of each estimate, at the estimate clamped to [0, 1]. */
  readonly standardErrors: number[];
}

export interface Aggregates {
  readonly vectors: VectorAggregate[];
  readonly categories: CategoryAggregate[];
}

export function groupKeyOf(r: Report): GroupKey {
  return {
    scope: r.scope,
    model: `${r.model.id}/${r.model.layer}/${r.model.dims}`,
    projection: r.projection?.id ?? null,
    mechanism: r.mechanism.name,
    epsilon: r.mechanism.epsilon,
  };
}

/** Running mean and per-coordinate variance of one group's vectors. */
export class VectorAccumulator {
  private n = 0;
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;
  /** The mechanism parameters shared by every report so far; null once two differ. */
  private params: string | null | undefined;
  private firstMechanism: Record<string, unknown> | undefined;

  constructor(
    readonly key: GroupKey,
    readonly dims: number,
  ) {
    this.mean = new Float64Array(dims);
    this.m2 = new Float64Array(dims);
  }

  add(vector: readonly number[], mechanism: Record<string, unknown>): void {
    if (vector.length !== this.dims) throw new RangeError(`expected ${this.dims} values, got ${vector.length}`);
    this.n++;
    for (let j = 0; j < this.dims; j++) {
      const x = vector[j]!;
      const d = x - this.mean[j]!;
      this.mean[j]! += d / this.n;
      this.m2[j]! += d * (x - this.mean[j]!);
    }
    const params = canonical(mechanism);
    if (this.params === undefined) {
      this.params = params;
      this.firstMechanism = mechanism;
    } else if (this.params !== params) this.params = null;
  }

  result(): VectorAggregate {
    const n = this.n;
    let empirical: number | null = null;
    if (n >= 2) {
      empirical = 0;
      for (let j = 0; j < this.dims; j++) empirical += this.m2[j]! / (n - 1) / n;
    }
    return {
      key: this.key,
      count: n,
      mean: Array.from(this.mean),
      expectedError: empirical,
      theoreticalError: n > 0 && this.params ? noiseError(this.firstMechanism!, this.dims, n) : null,
    };
  }
}

/** Counts of one group's category reports. */
export class CategoryAccumulator {
  private n = 0;
  private readonly counts: number[];

  constructor(readonly key: GroupKey & { readonly codebook: string; readonly k: number }) {
    this.counts = new Array<number>(key.k).fill(0);
  }

  add(category: { readonly value: number } | { readonly bits: readonly number[] }): void {
    if ('value' in category) {
      if (!(category.value >= 0 && category.value < this.key.k))
        throw new RangeError(`category ${category.value} outside 0..${this.key.k - 1}`);
      this.counts[category.value]!++;
    } else {
      if (category.bits.length !== this.key.k)
        throw new RangeError(`expected ${this.key.k} bits, got ${category.bits.length}`);
      category.bits.forEach((b, i) => (this.counts[i]! += b));
    }
    this.n++;
  }

  result(): CategoryAggregate {
    const { epsilon, k } = this.key;
    const { p, q } = this.key.mechanism === 'krr' ? krrProbabilities(epsilon, k) : oueProbabilities(epsilon);
    const frequencies =
      this.n === 0 ? new Array<number>(k).fill(0) : Array.from(estimateFrequencies(this.counts, this.n, p, q));
    const standardErrors = frequencies.map((f) =>
      this.n === 0 ? Infinity : Math.sqrt(frequencyVariance(Math.min(1, Math.max(0, f)), this.n, p, q)),
    );
    return { key: this.key, count: this.n, counts: [...this.counts], frequencies, standardErrors };
  }
}

/** Groups reports by {@link groupKeyOf} (and vector length / codebook) and aggregates each group in one pass. */
export function aggregate(reports: Iterable<Report>): Aggregates {
  const vectors = new Map<string, VectorAccumulator>();
  const categories = new Map<string, CategoryAccumulator>();
  for (const r of reports) {
    const key = groupKeyOf(r);
    if ('vector' in r) {
      const id = JSON.stringify([key, r.vector.length]);
      let acc = vectors.get(id);
      if (!acc) vectors.set(id, (acc = new VectorAccumulator(key, r.vector.length)));
      acc.add((r as VectorReport).vector, r.mechanism);
    } else {
      const { codebook, k } = (r as CategoryReport).category;
      const id = JSON.stringify([key, codebook, k]);
      let acc = categories.get(id);
      if (!acc) categories.set(id, (acc = new CategoryAccumulator({ ...key, codebook, k })));
      acc.add((r as CategoryReport).category);
    }
  }
  return {
    vectors: [...vectors.values()].map((a) => a.result()),
    categories: [...categories.values()].map((a) => a.result()),
  };
}

function canonical(o: Record<string, unknown>): string {
  return JSON.stringify(
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]]),
  );
}

/** E‖mean − mean of the clean inputs‖² from the mechanism's calibration; null when the parameters are not ones the core knows. */
function noiseError(mechanism: Record<string, unknown>, dims: number, n: number): number | null {
  try {
    return expectedMse(mechanism as unknown as VectorMechanismParams, dims) / n;
  } catch {
    return null;
  }
}
