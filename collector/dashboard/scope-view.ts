/** The scopes table, and per scope its counts over time and its category frequencies per bucket. */
import { countBars, intervalChart } from './charts';
import { describeGroup, groupId, labelsFor, scopeTitle, type Loaded } from './data';
import { bucketLabel, fixed, h, interval } from './dom';
import type { BucketAggregates, CategoryAggregate, CodebookSimilarity, VectorAggregate } from './wire';

export function scopesTable(loaded: Loaded): HTMLTableElement {
  const inRange = new Map<string, number>();
  for (const b of loaded.buckets)
    for (const g of [...b.vectors, ...b.categories])
      inRange.set(g.key.scope, (inRange.get(g.key.scope) ?? 0) + g.count);
  return h(
    'table',
    { id: 'scopes-table' },
    h('caption', {}, 'Scopes: reports stored (all time) and received in the range'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Scope'),
        h('th', { scope: 'col' }, 'Reports'),
        h('th', { scope: 'col' }, 'In range'),
        h('th', { scope: 'col' }, 'Groups'),
      ),
    ),
    h(
      'tbody',
      {},
      ...loaded.scopes.map((s) =>
        h(
          'tr',
          { 'data-scope': s.scope },
          h('th', { scope: 'row' }, h('a', { href: `#${sectionId(s.scope)}`, title: s.scope }, scopeTitle(s.scope))),
          h('td', { class: 'num' }, String(s.reports)),
          h('td', { class: 'num' }, String(inRange.get(s.scope) ?? 0)),
          h('td', { class: 'num' }, String(s.groups)),
        ),
      ),
    ),
  );
}

export function sectionId(scope: string): string {
  return `scope-${encodeURIComponent(scope).replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

export function scopeSection(loaded: Loaded, scope: string): HTMLElement {
  const id = sectionId(scope);
  const section = h('section', { id, class: 'scope', 'data-scope': scope, 'aria-labelledby': `${id}-h` });
  section.append(h('h2', { id: `${id}-h`, title: scope }, `Scope ${scopeTitle(scope)}`));
  section.append(countsOverTime(loaded, scope));
  const groups = new Map<string, { key: CategoryAggregate['key']; buckets: [BucketAggregates, CategoryAggregate][] }>();
  for (const b of loaded.buckets)
    for (const g of b.categories) {
      if (g.key.scope !== scope) continue;
      const gid = groupId(g.key);
      const entry = groups.get(gid) ?? { key: g.key, buckets: [] };
      entry.buckets.push([b, g]);
      groups.set(gid, entry);
    }
  section.append(h('h3', {}, 'Category frequencies, 95 % intervals'));
  if (groups.size === 0) section.append(h('p', {}, 'No category reports in this range.'));
  for (const { key, buckets } of groups.values()) {
    const div = h('div', { class: 'group' }, h('h4', {}, describeGroup(key)));
    const labels = labelsFor(key, loaded.codebooks);
    buckets.forEach(([b, g], i) => {
      const when = bucketLabel(b.start, loaded.bucket);
      const details = h(
        'details',
        { class: 'bucket', 'data-start': b.start, ...(i === buckets.length - 1 ? { open: '' } : {}) },
        h('summary', {}, `${when} — ${g.count} reports`),
      );
      details.append(frequencyFigure(g, labels, `${scope}, ${when}`));
      div.append(details);
    });
    section.append(div);
  }
  section.append(...vectorViews(loaded, scope));
  return section;
}

/**
 * Vector groups as their similarity to the codebooks of their model: the latest bucket's mean read
 * against each label, per codebook; a group no codebook reads is listed with its counts only.
 */
function vectorViews(loaded: Loaded, scope: string): HTMLElement[] {
  const latest = new Map<string, [BucketAggregates, VectorAggregate]>();
  for (const b of loaded.buckets)
    for (const v of b.vectors) if (v.key.scope === scope) latest.set(JSON.stringify(v.key), [b, v]);
  if (latest.size === 0) return [];
  const out: HTMLElement[] = [h('h3', {}, 'Vector reports: how close the mean lies to each label')];
  for (const [b, v] of latest.values()) {
    const when = bucketLabel(b.start, loaded.bucket);
    const projected = v.key.projection ? ` · ${v.key.projection}` : '';
    const name = `${v.key.model} · ${v.key.mechanism} ε=${v.key.epsilon}${projected}`;
    const div = h('div', { class: 'group vector-group' }, h('h4', {}, `${name} — ${when}, ${v.count} reports`));
    if (!v.similarity || v.similarity.length === 0)
      div.append(h('p', {}, 'No codebook of this model is known here (or the vectors are projected): counts only.'));
    for (const c of v.similarity ?? []) div.append(similarityFigure(c, `${scope}, ${when}`));
    out.push(div);
  }
  return out;
}

function similarityFigure(c: CodebookSimilarity, where: string): HTMLElement {
  const noisy = c.cosines.every((x) => x === null);
  const marks = c.labels.map((label, i) => ({
    label,
    estimate: c.cosines[i] ?? c.projections[i] ?? 0,
    low: null,
    high: null,
  }));
  return h(
    'figure',
    { class: 'similarity', 'data-codebook': c.codebook },
    noisy
      ? h('p', { class: 'warning', role: 'note' }, 'Too few reports: the noise outweighs the mean, so no cosine yet.')
      : intervalChart(
          marks,
          `Cosine of the mean with each label of ${c.codebook}, ${where}; the table below lists them`,
        ),
    h(
      'table',
      { class: 'similarity-table' },
      h('caption', {}, `Similarity to ${c.codebook}, ${where}: cosine (noise-corrected) and mean · direction`),
      h('thead', {}, h('tr', {}, ...['Label', 'Cosine', 'Mean · direction'].map((t) => h('th', { scope: 'col' }, t)))),
      h(
        'tbody',
        {},
        ...c.labels.map((label, i) =>
          h(
            'tr',
            { 'data-label': String(i) },
            h('th', { scope: 'row' }, label),
            h('td', { class: 'num' }, fixed(c.cosines[i])),
            h('td', { class: 'num' }, fixed(c.projections[i])),
          ),
        ),
      ),
    ),
  );
}

function countsOverTime(loaded: Loaded, scope: string): HTMLElement {
  const points = loaded.buckets
    .map((b) => ({
      label: bucketLabel(b.start, loaded.bucket),
      count: [...b.vectors, ...b.categories].filter((g) => g.key.scope === scope).reduce((n, g) => n + g.count, 0),
    }))
    .filter((p) => p.count > 0);
  const caption = `Reports per ${loaded.bucket} (UTC), by time of receipt`;
  return h(
    'figure',
    { class: 'counts' },
    h('figcaption', {}, h('h3', {}, caption)),
    countBars(points, `${caption} in scope ${scope}: ${points.length} buckets; the table below lists them`),
    h(
      'table',
      { class: 'counts-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, loaded.bucket === 'hour' ? 'Hour' : 'Day'),
          h('th', { scope: 'col' }, 'Reports'),
        ),
      ),
      h(
        'tbody',
        {},
        ...points.map((p) =>
          h('tr', {}, h('th', { scope: 'row' }, p.label), h('td', { class: 'num' }, String(p.count))),
        ),
      ),
    ),
  );
}

function frequencyFigure(g: CategoryAggregate, labels: readonly string[], where: string): HTMLElement {
  const marks = g.frequencies.map((f, i) => {
    const share = g.shares?.[i];
    return {
      label: labels[i] ?? String(i),
      // The chart shows the share as a reader should take it: projected onto the simplex, with its
      // exact interval (both in [0, 1]); the table keeps the unbiased estimate and its normal interval too.
      shown: share ? share.projected : f,
      shownLow: share ? share.interval[0] : (g.ci95[i]?.[0] ?? null),
      shownHigh: share ? share.interval[1] : (g.ci95[i]?.[1] ?? null),
      estimate: f,
      low: g.ci95[i]?.[0] ?? null,
      high: g.ci95[i]?.[1] ?? null,
      se: g.standardErrors[i] ?? null,
    };
  });
  const exact = g.shares !== undefined;
  const figure = h('figure', { class: 'frequencies' });
  if (g.warning) figure.append(h('p', { class: 'warning', role: 'note' }, `Few reports: ${g.warning}`));
  figure.append(
    intervalChart(
      marks.map((m) => ({ label: m.label, estimate: m.shown, low: m.shownLow, high: m.shownHigh })),
      (exact
        ? 'Share of each category (projected to 0–1) with its exact'
        : 'Estimated share of each category with its') + ` 95 % interval, ${where}; the table below lists them`,
    ),
    h(
      'table',
      { class: 'frequency-table' },
      h(
        'caption',
        {},
        `Estimated shares, ${where} (n = ${g.count}): the unbiased estimate ± 1.96 × standard error (not clamped` +
          ` to [0, 1]), then the share projected onto the simplex with its exact (Clopper–Pearson) interval`,
      ),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Category', 'Estimate', '95 % interval', 'Standard error', 'Share', 'Exact 95 % interval'].map((t) =>
            h('th', { scope: 'col' }, t),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        ...marks.map((m, i) =>
          h(
            'tr',
            { 'data-category': String(i) },
            h('th', { scope: 'row' }, m.label),
            h('td', { class: 'num' }, fixed(m.estimate)),
            h('td', { class: 'num' }, interval(m.low, m.high)),
            h('td', { class: 'num' }, fixed(m.se)),
            h('td', { class: 'num' }, exact ? fixed(m.shown) : '–'),
            h('td', { class: 'num' }, exact ? interval(m.shownLow, m.shownHigh) : '–'),
          ),
        ),
      ),
    ),
  );
  return figure;
}
