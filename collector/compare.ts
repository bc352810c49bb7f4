/**
 * GET /compare: two sides (two scopes, or two receive-time ranges of one scope), their groups
 * matched on everything in the group key but the scope, and each matched pair answered with the
 * estimators of src/analysis (docs/answers.md): squared norms, inner product and cosine, the
 * difference of means with intervals and a test; for categories, the frequencies, their
 * differences and a test.
 */
import {
  compareFrequencies,
  compareMeans,
  cosine,
  dot,
  normSquared,
  type Cosine,
  type Estimate,
  type FrequencyDifference,
  type FrequencyEstimates,
  type MeanComparison,
  type TestResult,
} from '../src/analysis/index';
import { describeError, ObscuraError } from '../src/errors';
import { krrProbabilities, oueProbabilities } from '../src/privacy/index';
import type { GroupTotals } from './group-estimates';
import { isoTime } from './buckets';
import type { CategoryGroupKey, GroupKey } from './groups';

export interface CompareSide {
  readonly scope: string;
  /** Receive-time range [since, until); both null: every report of the scope (running totals). */
  readonly since: Date | null;
  readonly until: Date | null;
}

export interface CompareQuery {
  readonly a: CompareSide;
  readonly b: CompareSide;
}

/** The group key without the scope (the sides' scopes are in `a` and `b`). */
export type MatchedKey = Omit<GroupKey, 'scope'> | Omit<CategoryGroupKey, 'scope'>;

export interface VectorSide {
  readonly count: number;
  /** Unbiased ‖mean‖² (null below two reports). */
  readonly normSquared: Estimate | null;
}

export interface VectorComparison {
  readonly key: MatchedKey;
  readonly a: VectorSide;
  readonly b: VectorSide;
  /** The rest is null unless both sides have two reports or more. */
  readonly dot: Estimate | null;
  readonly cosine: Cosine | null;
  readonly difference: Omit<MeanComparison, 'test'> | null;
  readonly test: TestResult | null;
}

export interface CategoryComparison {
  readonly key: MatchedKey;
  /** Names of the categories, from the codebook of that id the collector was given (--codebooks); else null. */
  readonly labels: readonly string[] | null;
  readonly a: FrequencyEstimates;
  readonly b: FrequencyEstimates;
  readonly differences: FrequencyDifference[];
  readonly test: TestResult;
}

export interface Unmatched {
  readonly side: 'a' | 'b';
  readonly key: GroupKey;
  readonly kind: 'vector' | 'category';
  readonly count: number;
}

export interface CompareAnswer {
  readonly a: { readonly scope: string; readonly since: string | null; readonly until: string | null };
  readonly b: { readonly scope: string; readonly since: string | null; readonly until: string | null };
  readonly vectors: VectorComparison[];
  readonly categories: CategoryComparison[];
  readonly unmatched: Unmatched[];
  /** Matched groups whose comparison could not be computed (as in GET /aggregates): the others are still served. */
  readonly failed: { readonly key: MatchedKey; readonly error: { readonly name: string; readonly message: string } }[];
}

function invalid(message: string, parameter: string): ObscuraError {
  return new ObscuraError('InvalidParameterError', message, { parameter });
}

/** Reads a.scope, b.scope and optional a.since, a.until, b.since, b.until; throws naming the parameter. */
export function parseCompareQuery(params: URLSearchParams, now: Date): CompareQuery {
  const side = (s: 'a' | 'b'): CompareSide => {
    const scope = params.get(`${s}.scope`);
    if (scope === null || scope === '') throw invalid(`${s}.scope is required (the scope of side ${s})`, `${s}.scope`);
    const sinceText = params.get(`${s}.since`);
    const untilText = params.get(`${s}.until`);
    if (sinceText === null && untilText === null) return { scope, since: null, until: null };
    const since = sinceText === null ? new Date(0) : isoTime(`${s}.since`, sinceText);
    const until = untilText === null ? new Date(now.getTime() + 1) : isoTime(`${s}.until`, untilText);
    if (until.getTime() <= since.getTime()) throw invalid(`${s}.until must be later than ${s}.since`, `${s}.until`);
    return { scope, since, until };
  };
  const a = side('a');
  const b = side('b');
  if (a.scope === b.scope) {
    // One scope compared with itself needs two disjoint ranges: the tests assume independent sides.
    const [aS, aU] = range(a, now);
    const [bS, bU] = range(b, now);
    if (aS < bU && bS < aU)
      throw invalid(
        'a.since/a.until and b.since/b.until must not overlap when a.scope equals b.scope ' +
          '(the two sides must hold different reports)',
        'b.since',
      );
  }
  return { a, b };
}

function range(s: CompareSide, now: Date): [number, number] {
  return [s.since?.getTime() ?? 0, s.until?.getTime() ?? now.getTime() + 1];
}

/** Kind, size and key without scope, with the key's fields in a fixed order (jsonb reorders them). */
function matchKey(t: GroupTotals): string {
  const { scope: _scope, ...rest } = t.group.key;
  const sorted = Object.fromEntries(Object.entries(rest).sort(([x], [y]) => (x < y ? -1 : 1)));
  return JSON.stringify([t.group.kind, t.group.size, sorted]);
}

function withoutScope(key: GroupKey): MatchedKey {
  const { scope: _scope, ...rest } = key;
  return rest;
}

export function compareTotals(
  query: CompareQuery,
  aTotals: readonly GroupTotals[],
  bTotals: readonly GroupTotals[],
  labelsOf: (codebook: string) => readonly string[] | undefined = () => undefined,
): CompareAnswer {
  const bByKey = new Map(bTotals.map((t) => [matchKey(t), t]));
  const matchedB = new Set<string>();
  const vectors: VectorComparison[] = [];
  const categories: CategoryComparison[] = [];
  const unmatched: Unmatched[] = [];
  const failed: CompareAnswer['failed'][number][] = [];
  for (const a of aTotals) {
    const k = matchKey(a);
    const b = bByKey.get(k);
    if (!b) {
      unmatched.push({ side: 'a', key: a.group.key, kind: a.group.kind, count: a.count });
      continue;
    }
    matchedB.add(k);
    try {
      if (a.group.kind === 'vector') vectors.push(compareVectors(a, b));
      else categories.push(compareCategories(a, b, labelsOf));
    } catch (err) {
      const { name, message } = describeError(err);
      failed.push({ key: withoutScope(a.group.key), error: { name, message } });
    }
  }
  for (const b of bTotals)
    if (!matchedB.has(matchKey(b))) unmatched.push({ side: 'b', key: b.group.key, kind: b.group.kind, count: b.count });
  return { a: describe(query.a), b: describe(query.b), vectors, categories, unmatched, failed };
}

function describe(s: CompareSide) {
  return { scope: s.scope, since: s.since?.toISOString() ?? null, until: s.until?.toISOString() ?? null };
}

function vectorTotals(t: GroupTotals) {
  return { count: t.count, sums: t.sums, squares: t.squares ?? [] };
}

function compareVectors(a: GroupTotals, b: GroupTotals): VectorComparison {
  const A = vectorTotals(a);
  const B = vectorTotals(b);
  const side = (t: typeof A): VectorSide => ({ count: t.count, normSquared: t.count >= 2 ? normSquared(t) : null });
  const key = withoutScope(a.group.key);
  if (A.count < 2 || B.count < 2)
    return { key, a: side(A), b: side(B), dot: null, cosine: null, difference: null, test: null };
  const { test, ...difference } = compareMeans(A, B);
  return { key, a: side(A), b: side(B), dot: dot(A, B), cosine: cosine(A, B), difference, test };
}

function compareCategories(
  a: GroupTotals,
  b: GroupTotals,
  labelsOf: (codebook: string) => readonly string[] | undefined,
): CategoryComparison {
  const key = a.group.key as CategoryGroupKey;
  const mechanism = key.mechanism === 'krr' ? 'krr' : 'oue';
  const { p, q } = mechanism === 'krr' ? krrProbabilities(key.epsilon, key.k) : oueProbabilities(key.epsilon);
  const c = compareFrequencies(
    { count: a.count, counts: a.sums, p, q },
    { count: b.count, counts: b.sums, p, q },
    mechanism,
  );
  const labels = labelsOf(key.codebook);
  return { key: withoutScope(key), labels: labels && labels.length === key.k ? labels : null, ...c };
}
