/** GET /compare: two scopes over the range, or two buckets of one scope, and the answer as tables. */
import { ApiError, getJson } from './api';
import { asCategoryKey, describeGroup, labelsFor, scopeTitle, type Loaded } from './data';
import { bucketLabel, fixed, h, interval, pValue } from './dom';
import { groupName } from './rows';
import type { CompareSide, Comparison, Estimate } from './wire';

export interface ComparisonAsked {
  readonly a: CompareSide;
  readonly b: CompareSide;
}

export async function compare(asked: ComparisonAsked): Promise<Comparison> {
  const params: Record<string, string> = {};
  for (const side of ['a', 'b'] as const) {
    const s = asked[side];
    params[`${side}.scope`] = s.scope;
    if (s.since) params[`${side}.since`] = s.since;
    if (s.until) params[`${side}.until`] = s.until;
  }
  try {
    return await getJson<Comparison>('/compare', params);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404)
      throw new ApiError(404, err.errorName, 'this collector has no GET /compare (it predates comparisons)');
    throw err;
  }
}

function sideName(side: CompareSide, bucket: string): string {
  const name = scopeTitle(side.scope);
  if (!side.since || !side.until) return `${name}, every report`;
  return `${name}, ${bucketLabel(side.since, bucket)} to ${bucketLabel(side.until, bucket)}`;
}

const th = (text: string) => h('th', { scope: 'col' }, text);
const num = (text: string) => h('td', { class: 'num' }, text);
const estimate = (e: Estimate | null | undefined) =>
  e ? `${fixed(e.estimate, 4)} ± ${fixed(e.standardError === null ? null : 1.96 * e.standardError, 4)}` : '—';

export function comparisonView(c: Comparison, loaded: Loaded): HTMLElement {
  const out = h(
    'div',
    { class: 'comparison' },
    h('p', {}, `A: ${sideName(c.a, loaded.bucket)}. B: ${sideName(c.b, loaded.bucket)} (until exclusive).`),
  );
  if (c.categories.length === 0 && c.vectors.length === 0)
    out.append(h('p', {}, 'The two sides share no group (same model, mechanism and ε) to compare.'));
  for (const g of c.categories) {
    const key = asCategoryKey(g.key, g.differences.length);
    const labels = labelsFor(key, loaded.codebooks, g.labels);
    const t = g.test;
    const heads = ['Category', 'A', 'A 95 % interval', 'B', 'B 95 % interval', 'A − B', '95 % interval', 'z', 'p'];
    out.append(
      h(
        'table',
        { class: 'compare-categories' },
        h('caption', {}, `${describeGroup(key)}: A n = ${g.a.count}, B n = ${g.b.count}`),
        h('thead', {}, h('tr', {}, ...heads.map(th))),
        h(
          'tbody',
          {},
          ...g.differences.map((d, i) =>
            h(
              'tr',
              { 'data-category': String(i) },
              h('th', { scope: 'row' }, labels[i] ?? String(i)),
              num(fixed(g.a.frequencies[i])),
              num(interval(g.a.ci95[i]?.[0], g.a.ci95[i]?.[1])),
              num(fixed(g.b.frequencies[i])),
              num(interval(g.b.ci95[i]?.[0], g.b.ci95[i]?.[1])),
              num(fixed(d.difference)),
              num(interval(d.ci95[0], d.ci95[1])),
              num(fixed(d.z, 2)),
              num(pValue(d.pValue)),
            ),
          ),
        ),
      ),
      h('p', { class: 'test' }, `${t.method}: statistic ${fixed(t.statistic, 2)}, df ${t.df}, p ${pValue(t.pValue)}`),
    );
  }
  if (c.vectors.length > 0) {
    const heads = [
      'Group',
      'A n',
      'B n',
      '‖μ_A‖² ± 1.96 se',
      '‖μ_B‖² ± 1.96 se',
      'Cosine (corrected)',
      'Cosine (naive)',
    ];
    out.append(
      h(
        'table',
        { class: 'compare-vectors' },
        h('caption', {}, 'Mean feature vectors (the per-coordinate differences are in the exports)'),
        h('thead', {}, h('tr', {}, ...[...heads, 'Test', 'p'].map(th))),
        h(
          'tbody',
          {},
          ...c.vectors.map((v) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, groupName(v.key)),
              num(String(v.a.count)),
              num(String(v.b.count)),
              num(estimate(v.a.normSquared)),
              num(estimate(v.b.normSquared)),
              num(
                v.cosine?.corrected === null && v.cosine.reason ? `— (${v.cosine.reason})` : fixed(v.cosine?.corrected),
              ),
              num(fixed(v.cosine?.naive)),
              h('td', {}, v.test ? `${v.test.method}, ${fixed(v.test.statistic, 2)} on ${v.test.df} df` : '—'),
              num(pValue(v.test?.pValue)),
            ),
          ),
        ),
      ),
    );
  }
  if (c.unmatched.length > 0)
    out.append(
      h('p', {}, 'Groups only one side has (not compared):'),
      h(
        'ul',
        { class: 'unmatched' },
        ...c.unmatched.map((u) => h('li', {}, `${u.side.toUpperCase()}: ${groupName(u.key)}, ${u.count} reports`)),
      ),
    );
  return out;
}
