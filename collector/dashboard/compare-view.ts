/** GET /compare: two scopes over the range, or two buckets of one scope, and the answer as tables. */
import { getJson } from './api';
import { describeGroup, labelsFor, type Loaded } from './data';
import { bucketLabel, fixed, h, interval, pValue } from './dom';
import type { CompareSide, Comparison } from './wire';

export interface ComparisonAsked {
  readonly a: CompareSide;
  readonly b: CompareSide;
}

export function compare(asked: ComparisonAsked): Promise<Comparison> {
  const params: Record<string, string> = {};
  for (const side of ['a', 'b'] as const) {
    const s = asked[side];
    params[`${side}.scope`] = s.scope;
    if (s.since) params[`${side}.since`] = s.since;
    if (s.until) params[`${side}.until`] = s.until;
  }
  return getJson<Comparison>('/compare', params);
}

function sideName(side: CompareSide, bucket: string): string {
  const range =
    side.since && side.until ? ` ${bucketLabel(side.since, bucket)} to ${bucketLabel(side.until, bucket)}` : '';
  return `${side.scope}${range}`;
}

export function comparisonView(c: Comparison, loaded: Loaded): HTMLElement {
  const a = sideName(c.a, loaded.bucket);
  const b = sideName(c.b, loaded.bucket);
  const out = h('div', { class: 'comparison' }, h('p', {}, `A: ${a}; B: ${b} (until exclusive).`));
  if (c.categories.length === 0 && c.vectors.length === 0)
    out.append(h('p', {}, 'The two sides share no group (same model, mechanism and ε) to compare.'));
  for (const g of c.categories) {
    const labels = labelsFor(g.key, loaded.codebooks);
    const t = g.test;
    out.append(
      h(
        'table',
        { class: 'compare-categories' },
        h('caption', {}, `${describeGroup(g.key)}: A n = ${g.a.count}, B n = ${g.b.count}`),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...[
              'Category',
              'A estimate',
              'A 95 % interval',
              'B estimate',
              'B 95 % interval',
              'B − A',
              '95 % interval',
              'z',
              'p',
            ].map((x) => h('th', { scope: 'col' }, x)),
          ),
        ),
        h(
          'tbody',
          {},
          ...g.differences.map((d, i) =>
            h(
              'tr',
              { 'data-category': String(i) },
              h('th', { scope: 'row' }, labels[i] ?? String(i)),
              h('td', { class: 'num' }, fixed(g.a.frequencies[i])),
              h('td', { class: 'num' }, interval(g.a.ci95[i]?.[0], g.a.ci95[i]?.[1])),
              h('td', { class: 'num' }, fixed(g.b.frequencies[i])),
              h('td', { class: 'num' }, interval(g.b.ci95[i]?.[0], g.b.ci95[i]?.[1])),
              h('td', { class: 'num' }, fixed(d.difference)),
              h('td', { class: 'num' }, interval(d.ci95[0], d.ci95[1])),
              h('td', { class: 'num' }, fixed(d.z, 2)),
              h('td', { class: 'num' }, pValue(d.pValue)),
            ),
          ),
        ),
      ),
      h(
        'p',
        { class: 'test' },
        `${t.method}: statistic ${fixed(t.statistic, 2)}, df ${t.df ?? '—'}, p ${pValue(t.pValue)}`,
      ),
    );
  }
  if (c.vectors.length > 0)
    out.append(
      h(
        'table',
        { class: 'compare-vectors' },
        h('caption', {}, 'Mean feature vectors'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...[
              'Group',
              'A n',
              'B n',
              'Cosine (corrected)',
              'Cosine (naive)',
              'Difference',
              '95 % interval',
              'p',
              'Test',
            ].map((x) => h('th', { scope: 'col' }, x)),
          ),
        ),
        h(
          'tbody',
          {},
          ...c.vectors.map((v) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, `${v.key.model} ${v.key.mechanism} ε=${v.key.epsilon}`),
              h('td', { class: 'num' }, String(v.a.count)),
              h('td', { class: 'num' }, String(v.b.count)),
              h('td', { class: 'num' }, fixed(v.cosine.corrected)),
              h('td', { class: 'num' }, fixed(v.cosine.naive)),
              h('td', { class: 'num' }, fixed(v.difference.mean)),
              h('td', { class: 'num' }, interval(v.difference.ci95?.[0], v.difference.ci95?.[1])),
              h('td', { class: 'num' }, pValue(v.test.pValue)),
              h('td', {}, v.test.method),
            ),
          ),
        ),
      ),
    );
  return out;
}
