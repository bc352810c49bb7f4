/**
 * What the exports hold, as flat rows of the API's numbers exactly as parsed: nothing is
 * computed or rounded here (the intervals are the API's `ci95`, estimate ± z₀.₉₇₅ · standard
 * error, not clamped to [0, 1]; `share` and its exact interval are the API's `shares`).
 */
import { asCategoryKey, labelsFor, type Loaded } from './data';
import type { Comparison, Interval, MatchedKey } from './wire';

export type Cell = string | number | boolean | null;
export type Row = Readonly<Record<string, Cell>>;

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
  'share',
  'shareLow',
  'shareHigh',
  'smallSample',
] as const;

const lo = (i: Interval | null | undefined): number | null => i?.[0] ?? null;
const hi = (i: Interval | null | undefined): number | null => i?.[1] ?? null;

/** One row per (bucket, category group, category) of the loaded range, oldest bucket first. */
export function frequencyRows(loaded: Loaded, scopes?: ReadonlySet<string>): Row[] {
  const rows: Row[] = [];
  for (const b of loaded.buckets)
    for (const g of b.categories) {
      if (scopes && !scopes.has(g.key.scope)) continue;
      const labels = labelsFor(g.key, loaded.codebooks);
      g.frequencies.forEach((frequency, category) => {
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
          standardError: g.standardErrors[category] ?? null,
          ci95Low: lo(g.ci95[category]),
          ci95High: hi(g.ci95[category]),
          share: g.shares?.[category]?.projected ?? null,
          shareLow: g.shares?.[category]?.interval[0] ?? null,
          shareHigh: g.shares?.[category]?.interval[1] ?? null,
          smallSample: g.smallSample ?? null,
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
  'side',
  'category',
  'label',
  'coordinate',
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
  'aNormSquaredStandardError',
  'bNormSquared',
  'bNormSquaredStandardError',
  'dot',
  'dotStandardError',
  'cosineCorrected',
  'cosineNaive',
] as const;

/** A group key as one cell (the scope is in the sides' columns). */
export function groupName(key: MatchedKey): string {
  const parts = [key.model, key.projection, key.mechanism, `ε=${key.epsilon}`];
  if (key.delta) parts.push(`δ=${key.delta}`);
  if (key.clip !== null) parts.push(`C=${key.clip}`);
  if (key.codebook !== undefined) parts.push(key.codebook, `k=${key.k}`);
  return parts.filter((p) => p !== null).join(' ');
}

/**
 * A comparison as rows (`kind`): per category group one `category` row per category (A − B) and
 * one `category-test`; per vector group one `vector` row and one `vector-coordinate` row per
 * coordinate of the difference of means (A − B); one `unmatched` row per group only one side has.
 */
export function comparisonRows(c: Comparison, codebooks: Loaded['codebooks']): Row[] {
  const sides = {
    aScope: c.a.scope,
    aSince: c.a.since,
    aUntil: c.a.until,
    bScope: c.b.scope,
    bSince: c.b.since,
    bUntil: c.b.until,
  };
  const rows: Row[] = [];
  for (const g of c.categories) {
    const labels = labelsFor(asCategoryKey(g.key, g.differences.length), codebooks, g.labels);
    const group = groupName(g.key);
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
  for (const v of c.vectors) {
    const group = groupName(v.key);
    rows.push({
      kind: 'vector',
      ...sides,
      group,
      aCount: v.a.count,
      bCount: v.b.count,
      aNormSquared: v.a.normSquared?.estimate ?? null,
      aNormSquaredStandardError: v.a.normSquared?.standardError ?? null,
      bNormSquared: v.b.normSquared?.estimate ?? null,
      bNormSquaredStandardError: v.b.normSquared?.standardError ?? null,
      dot: v.dot?.estimate ?? null,
      dotStandardError: v.dot?.standardError ?? null,
      cosineCorrected: v.cosine?.corrected ?? null,
      cosineNaive: v.cosine?.naive ?? null,
      statistic: v.test?.statistic ?? null,
      df: v.test?.df ?? null,
      pValue: v.test?.pValue ?? null,
      method: v.test?.method ?? null,
    });
    v.difference?.mean.forEach((difference, coordinate) =>
      rows.push({
        kind: 'vector-coordinate',
        ...sides,
        group,
        coordinate,
        difference,
        differenceCi95Low: lo(v.difference!.ci95[coordinate]),
        differenceCi95High: hi(v.difference!.ci95[coordinate]),
      }),
    );
  }
  for (const u of c.unmatched)
    rows.push({ kind: 'unmatched', ...sides, group: groupName(u.key), side: u.side, [`${u.side}Count`]: u.count });
  return rows;
}
