/** What the page loads: the scopes, every bucket of the chosen range, the codebooks' labels. */
import { hostScopeOf } from '../../src/report/host-scope-name';
import { getJson } from './api';
import type { Aggregates, BucketAggregates, BucketPage, CategoryKey, CodebookList, MatchedKey } from './wire';

export type BucketSize = 'day' | 'hour';

export interface ScopeSummary {
  readonly scope: string;
  /** Reports stored in the scope (every group, vector and category). */
  readonly reports: number;
  readonly groups: number;
}

export interface Loaded {
  readonly scopes: readonly ScopeSummary[];
  readonly bucket: BucketSize;
  readonly since: string;
  readonly until: string;
  /** Oldest first; a bucket continued across pages is merged back into one. */
  readonly buckets: readonly BucketAggregates[];
  readonly codebooks: CodebookList['codebooks'];
}

/** Pages of bucketed aggregates followed up to this many (1 000 rows each). */
const MAX_PAGES = 50;

export function summarizeScopes(totals: Aggregates): ScopeSummary[] {
  const byScope = new Map<string, { reports: number; groups: number }>();
  const add = (scope: string, count: number) => {
    const s = byScope.get(scope) ?? { reports: 0, groups: 0 };
    byScope.set(scope, { reports: s.reports + count, groups: s.groups + 1 });
  };
  for (const v of totals.vectors) add(v.key.scope, v.count);
  for (const c of totals.categories) add(c.key.scope, c.count);
  for (const f of totals.failed) add(f.key.scope, 0);
  return [...byScope].map(([scope, s]) => ({ scope, ...s })).sort((x, y) => x.scope.localeCompare(y.scope));
}

export async function loadAll(bucket: BucketSize, since: string, until: string): Promise<Loaded> {
  const [totals, codebooks] = await Promise.all([
    getJson<Aggregates>('/aggregates'),
    getJson<CodebookList>('/dashboard/codebooks.json'),
  ]);
  const buckets: BucketAggregates[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const params: Record<string, string> = { bucket, since, until, limit: '1000' };
    if (cursor) params['cursor'] = cursor;
    const answer: BucketPage = await getJson<BucketPage>('/aggregates', params);
    for (const b of answer.buckets) {
      const last = buckets[buckets.length - 1];
      if (last && last.start === b.start)
        buckets[buckets.length - 1] = {
          ...last,
          vectors: [...last.vectors, ...b.vectors],
          categories: [...last.categories, ...b.categories],
          failed: [...last.failed, ...b.failed],
        };
      else buckets.push(b);
    }
    cursor = answer.next;
    if (!cursor) break;
  }
  return { scopes: summarizeScopes(totals), bucket, since, until, buckets, codebooks: codebooks.codebooks };
}

/**
 * The labels of a group's categories: those the API gave, else the codebook's when the collector
 * knows it and it has k labels, else the indices.
 */
export function labelsFor(
  key: Pick<CategoryKey, 'codebook' | 'k'>,
  codebooks: Loaded['codebooks'],
  given?: readonly string[] | null,
): string[] {
  if (given && given.length === key.k) return [...given];
  const known = codebooks.find((c) => c.id === key.codebook);
  if (known && known.labels.length === key.k) return [...known.labels];
  return Array.from({ length: key.k }, (_, i) => String(i));
}

/** A matched key as a category key: the codebook and k the collector always sets for category groups. */
export function asCategoryKey(key: MatchedKey, k: number): Omit<CategoryKey, 'scope'> {
  return { ...key, codebook: key.codebook ?? '(unknown codebook)', k: key.k ?? k };
}

/** One line naming a category group: codebook, mechanism and ε (scope aside). */
export function describeGroup(key: Omit<CategoryKey, 'scope'>): string {
  return `${key.codebook} · ${key.mechanism} ε=${key.epsilon} · k=${key.k} · ${key.model}`;
}

/** A stable identity of a group within its scope, for matching the same group across buckets. */
export function groupId(key: CategoryKey): string {
  return JSON.stringify([key.model, key.projection, key.mechanism, key.epsilon, key.delta, key.codebook, key.k]);
}

/** A scope's name for people: a widget host's scope as "scope (widget on origin)", others as they are. */
export function scopeTitle(scope: string): string {
  const host = hostScopeOf(scope);
  return host ? `${host.scope} (widget on ${host.origin})` : scope;
}
