/**
 * What the exports hold, as flat rows built from the API's numbers exactly as parsed: nothing
 * is rounded here. The only computed values are the 95 % interval ends of the frequencies,
 * estimate ± 1.96·standardError, as the page shows them (not clamped to [0, 1]).
 */
import { labelsFor, type Loaded } from './data';
import type { Comparison, Interval } from './wire';

export type Cell = string | number | boolean | null;
export type Row = Readonly<Record<string, Cell>>;

export const Z95 = 1.96;

export function interval(estimate: number, standardError: number | null): [number | null, number | null] {
  if (standardError === null || !Number.isFinite(standardError)) return [null, null];
  return [estimate - Z95 * standardError, estimate + Z95 * standardError];
}

export const FREQUENCY_COLUMNS = [
  'scope',
  'bucket',
  'bucketStart',
  'bucketEnd',
  'codebook',
  'model',
  'mechanism',
  'epsilon',
  'k',
  'count',
  'category',
  'label',
  'frequency',
  'standardError',
  'ci95Low',
  'ci95High',
] as const;

/** One row per (bucket, category group, category) of the loaded range, oldest bucket first. */
export function frequencyRows(loaded: Loaded, scopes?: ReadonlySet<string>): Row[] {
  const rows: Row[] = [];
  for (const b of loaded.buckets)
    for (const g of b.categories) {
      if (scopes && !scopes.has(g.key.scope)) continue;
      const labels = labelsFor(g.key, loaded.codebooks);
      g.frequencies.forEach((frequency, category) => {
        const standardError = g.standardErrors[category] ?? null;
        const [ci95Low, ci95High] = interval(frequency, standardError);
        rows.push({
          scope: g.key.scope,
          bucket: loaded.bucket,
          bucketStart: b.start,
          bucketEnd: b.end,
          codebook: g.key.codebook,
          model: g.key.model,
          mechanism: g.key.mechanism,
          epsilon: g.key.epsilon,
          k: g.key.k,
          count: g.count,
          category,
          label: labels[category] ?? String(category),
          frequency,
          standardError,
          ci95Low,
          ci95High,
        });
      });
    }
  return rows;
}

export const COMPARISON_COLUMNS = [
  'kind',
  'aScope',
  'aSince',
  'aUntil',
  'bScope',
  'bSince',
  'bUntil',
  'group',
  'category',
  'label',
  'aCount',
  'bCount',
  'aFrequency',
  'aStandardError',
  'aCi95Low',
  'aCi95High',
  'bFrequency',
  'bStandardError',
  'bCi95Low',
  'bCi95High',
  'difference',
  'differenceCi95Low',
  'differenceCi95High',
  'z',
  'statistic',
  'df',
  'pValue',
  'method',
  'aNormSquared',
  'bNormSquared',
  'cosineCorrected',
  'cosineNaive',
] as const;

const lo = (i: Interval | null | undefined): number | null => i?.[0] ?? null;
const hi = (i: Interval | null | undefined): number | null => i?.[1] ?? null;

/**
 * A comparison as rows: per category group one row per category (`category`) and one for its
 * test (`category-test`); per vector group one row (`vector`). Every number is the API's.
 */
export function comparisonRows(c: Comparison, codebooks: Loaded['codebooks']): Row[] {
  const sides = {
    aScope: c.a.scope,
    aSince: c.a.since ?? null,
    aUntil: c.a.until ?? null,
    bScope: c.b.scope,
    bSince: c.b.since ?? null,
    bUntil: c.b.until ?? null,
  };
  const rows: Row[] = [];
  for (const g of c.categories) {
    const labels = labelsFor(g.key, codebooks);
    const group = `${g.key.codebook} ${g.key.mechanism} ε=${g.key.epsilon} k=${g.key.k} ${g.key.model}`;
    const counts = { aCount: g.a.count, bCount: g.b.count };
    g.differences.forEach((d, category) => {
      rows.push({
        kind: 'category',
        ...sides,
        group,
        category,
        label: labels[category] ?? String(category),
        ...counts,
        aFrequency: g.a.frequencies[category] ?? null,
        aStandardError: g.a.standardErrors[category] ?? null,
        aCi95Low: lo(g.a.ci95[category]),
        aCi95High: hi(g.a.ci95[category]),
        bFrequency: g.b.frequencies[category] ?? null,
        bStandardError: g.b.standardErrors[category] ?? null,
        bCi95Low: lo(g.b.ci95[category]),
        bCi95High: hi(g.b.ci95[category]),
        difference: d.difference,
        differenceCi95Low: lo(d.ci95),
        differenceCi95High: hi(d.ci95),
        z: d.z,
        pValue: d.pValue,
      });
    });
    const t = g.test;
    rows.push({
      kind: 'category-test',
      ...sides,
      group,
      ...counts,
      statistic: t.statistic,
      df: t.df,
      pValue: t.pValue,
      method: t.method,
    });
  }
  for (const v of c.vectors)
    rows.push({
      kind: 'vector',
      ...sides,
      group: `${v.key.model} ${v.key.mechanism} ε=${v.key.epsilon}${v.key.projection ? ` ${v.key.projection}` : ''}`,
      aCount: v.a.count,
      bCount: v.b.count,
      aNormSquared: v.a.normSquared,
      bNormSquared: v.b.normSquared,
      cosineCorrected: v.cosine.corrected,
      cosineNaive: v.cosine.naive,
      difference: v.difference.mean,
      differenceCi95Low: lo(v.difference.ci95),
      differenceCi95High: hi(v.difference.ci95),
      statistic: v.test.statistic,
      pValue: v.test.pValue,
      method: v.test.method,
    });
  return rows;
}
