/**
 * The collector's answers as the page reads them. They mirror collector/group-estimates.ts,
 * collector/buckets.ts and the /compare answer; tests/unit/collector/dashboard.test.ts checks
 * that the collector's own types are assignable to these, so the two cannot drift apart.
 * Numbers are kept exactly as parsed: the page rounds only what it displays.
 */

export interface GroupKey {
  readonly scope: string;
  readonly model: string;
  readonly projection: string | null;
  readonly mechanism: string;
  readonly epsilon: number;
  readonly delta: number;
  readonly clip: number | null;
}

export interface CategoryKey extends GroupKey {
  readonly codebook: string;
  readonly k: number;
}

export interface VectorAggregate {
  readonly key: GroupKey;
  readonly count: number;
  /** The mean against each codebook of its model the collector knows. */
  readonly similarity?: readonly CodebookSimilarity[];
}

export interface CodebookSimilarity {
  readonly codebook: string;
  readonly labels: readonly string[];
  /** mean · (the label's unit direction), unbiased. */
  readonly projections: readonly number[];
  /** The same over √(unbiased ‖mean‖²); null while the noise outweighs the signal. */
  readonly cosines: readonly (number | null)[];
}

export interface CategoryAggregate {
  readonly key: CategoryKey;
  readonly count: number;
  readonly frequencies: readonly number[];
  /** null where the collector's value is not finite (JSON has no Infinity). */
  readonly standardErrors: readonly (number | null)[];
  /** Each frequency's 95 % interval, estimate ± z₀.₉₇₅ · standard error, not clamped. */
  readonly ci95: readonly Interval[];
  /** The codebook's labels, when the collector knows the codebook. */
  readonly labels?: readonly string[] | null;
  /** Per category: the estimate projected onto the simplex and its exact interval, within [0, 1]. */
  readonly shares?: readonly CategoryShare[];
  readonly smallSample?: boolean;
  readonly minimumCount?: number;
  /** What to know before reading the shares (too few reports). */
  readonly warning?: string | null;
}

export interface CategoryShare {
  readonly label: string | null;
  readonly estimate: number;
  readonly projected: number;
  readonly interval: readonly [number, number];
}

export interface Aggregates {
  readonly vectors: readonly VectorAggregate[];
  readonly categories: readonly CategoryAggregate[];
  readonly failed: readonly {
    readonly key: GroupKey;
    readonly error: { readonly name: string; readonly message: string };
  }[];
}

export interface BucketAggregates extends Aggregates {
  readonly start: string;
  readonly end: string;
}

export interface BucketPage {
  readonly bucket: string;
  readonly since: string;
  readonly until: string;
  readonly buckets: readonly BucketAggregates[];
  readonly next: string | null;
}

/** One side of a comparison; since and until null: every report of the scope. */
export interface CompareSide {
  readonly scope: string;
  readonly since: string | null;
  readonly until: string | null;
}

/** [low, high]; a bound JSON could not carry (±Infinity) arrives as null. */
export type Interval = readonly [number | null, number | null];

/** A value and its standard error. */
export interface Estimate {
  readonly estimate: number;
  readonly standardError: number | null;
}

export interface TestResult {
  readonly statistic: number | null;
  readonly df: number;
  readonly pValue: number | null;
  readonly method: string;
}

/** The group key both sides share (the scopes are in `a` and `b`). */
export type MatchedKey = Omit<GroupKey, 'scope'> & { readonly codebook?: string; readonly k?: number };

export interface CompareVector {
  readonly key: MatchedKey;
  readonly a: { readonly count: number; readonly normSquared: Estimate | null };
  readonly b: { readonly count: number; readonly normSquared: Estimate | null };
  /** null unless both sides have two reports or more, as are the fields below. */
  readonly dot: Estimate | null;
  readonly cosine: {
    readonly corrected: number | null;
    readonly reason?: string;
    readonly naive: number | null;
  } | null;
  /** Per coordinate: mean of A − mean of B, and its 95 % interval. */
  readonly difference: { readonly mean: readonly number[]; readonly ci95: readonly Interval[] } | null;
  readonly test: TestResult | null;
}

export interface FrequencyEstimates {
  readonly count: number;
  readonly frequencies: readonly number[];
  readonly standardErrors: readonly (number | null)[];
  readonly ci95: readonly Interval[];
}

export interface CompareCategory {
  /** A category group's key (codebook and k present; typed as the collector types it). */
  readonly key: MatchedKey;
  readonly labels: readonly string[] | null;
  readonly a: FrequencyEstimates;
  readonly b: FrequencyEstimates;
  /** Per category: frequency of A − frequency of B. */
  readonly differences: readonly {
    readonly difference: number;
    readonly ci95: Interval;
    readonly z: number | null;
    readonly pValue: number | null;
  }[];
  readonly test: TestResult;
}

export interface Comparison {
  readonly a: CompareSide;
  readonly b: CompareSide;
  readonly vectors: readonly CompareVector[];
  readonly categories: readonly CompareCategory[];
  /** Groups only one side has. */
  readonly unmatched: readonly {
    readonly side: 'a' | 'b';
    readonly key: GroupKey;
    readonly kind: 'vector' | 'category';
    readonly count: number;
  }[];
}

/** GET /dashboard/codebooks.json. */
export interface CodebookList {
  readonly codebooks: readonly { readonly id: string; readonly hash: string; readonly labels: readonly string[] }[];
}
