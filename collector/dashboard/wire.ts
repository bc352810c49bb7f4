/**
 * The collector's answers as the page reads them. They mirror collector/aggregate.ts,
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
}

export interface CategoryAggregate {
  readonly key: CategoryKey;
  readonly count: number;
  readonly frequencies: readonly number[];
  /** null where the collector's value is not finite (JSON has no Infinity). */
  readonly standardErrors: readonly (number | null)[];
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

/** One side of a comparison, as asked. */
export interface CompareSide {
  readonly scope: string;
  readonly since?: string | null;
  readonly until?: string | null;
}

export type Interval = readonly [number | null, number | null];

export interface CompareVector {
  readonly key: GroupKey;
  readonly a: { readonly count: number; readonly normSquared: number | null };
  readonly b: { readonly count: number; readonly normSquared: number | null };
  readonly cosine: { readonly corrected: number | null; readonly naive: number | null };
  readonly difference: { readonly mean: number | null; readonly ci95: Interval | null };
  readonly test: { readonly statistic: number | null; readonly pValue: number | null; readonly method: string };
}

export interface CompareCategorySide {
  readonly count: number;
  readonly frequencies: readonly number[];
  readonly standardErrors: readonly (number | null)[];
  readonly ci95: readonly Interval[];
}

export interface CompareCategory {
  readonly key: CategoryKey;
  readonly a: CompareCategorySide;
  readonly b: CompareCategorySide;
  readonly differences: readonly {
    readonly difference: number;
    readonly ci95: Interval;
    readonly z: number | null;
    readonly pValue: number | null;
  }[];
  readonly test: {
    readonly statistic: number | null;
    readonly df: number | null;
    readonly pValue: number | null;
    readonly method: string;
  };
}

export interface Comparison {
  readonly a: CompareSide;
  readonly b: CompareSide;
  readonly vectors: readonly CompareVector[];
  readonly categories: readonly CompareCategory[];
}

/** GET /dashboard/codebooks.json. */
export interface CodebookList {
  readonly codebooks: readonly { readonly id: string; readonly hash: string; readonly labels: readonly string[] }[];
}
