// GET /compare, GET /sample-size and the answers GET /aggregates gained, over real HTTP against the
// real collector (PGlite), fed real reports released by the privacy core. Every number must equal
// the src/analysis estimator applied to totals recomputed in memory from the same reports.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Aggregates } from '../../../collector/group-estimates';
import type { CompareAnswer } from '../../../collector/compare';
import { totalsOf } from './recompute';
import {
  compareFrequencies,
  compareMeans,
  cosine,
  dot,
  normSquared,
  sampleSize,
  type VectorTotals,
} from '../../../src/analysis/index';
import { krrProbabilities, oueProbabilities } from '../../../src/privacy/index';
import type { Report } from '../../../src/report/schema';
import { startCollector, type TestCollector } from '../../support/collector';
import { postReport, releasedReport, releasedTask } from './support';

let collector: TestCollector;
let now = new Date('2026-11-30T08:00:00Z');
const sent: { at: Date; report: Report }[] = [];

async function send(report: Report): Promise<void> {
  sent.push({ at: now, report });
  assert.equal((await postReport(collector.url, report)).status, 201);
}

const PRIVUNIT = { name: 'privunit', epsilon: 4 } as const;
const KRR = { name: 'krr', epsilon: 1, k: 4 } as const;
const OUE = { name: 'oue', epsilon: 1, k: 4 } as const;

before(async () => {
  collector = await startCollector({
    port: 0,
    inMemory: true,
    clock: () => now,
    tasks: [
      ...['before', 'after'].map((scope) => ({ ...releasedTask(scope, PRIVUNIT, 8), epsilon: [4, 2] })),
      ...['before', 'after'].flatMap((scope) => [releasedTask(`${scope}-krr`, KRR), releasedTask(`${scope}-oue`, OUE)]),
    ],
  });
  // Scope "before" and "after": PrivUnit groups on both sides, k-RR and OUE in their own scopes of each side
  // ("before-krr", …); one PrivUnit group at another ε only in "before".
  for (const [scope, hour] of [
    ['before', '08'],
    ['after', '09'],
  ] as const) {
    now = new Date(`2026-11-30T${hour}:00:00Z`);
    for (let i = 0; i < 12; i++) {
      await send(releasedReport(scope, PRIVUNIT, 8));
      await send(releasedReport(`${scope}-krr`, KRR));
      await send(releasedReport(`${scope}-oue`, OUE));
    }
    now = new Date(`2026-11-30T${hour}:30:00Z`);
    for (let i = 0; i < 12; i++) await send(releasedReport(scope, PRIVUNIT, 8));
  }
  now = new Date('2026-11-30T08:10:00Z');
  await send(releasedReport('before', { name: 'privunit', epsilon: 2 }, 8));
  now = new Date('2026-11-30T10:00:00Z');
});
after(() => collector?.close());

async function get<T>(path: string, status = 200): Promise<T> {
  const res = await fetch(`${collector.url}${path}`);
  const body = (await res.json()) as T;
  assert.equal(res.status, status, `${path}: ${JSON.stringify(body)}`);
  return body;
}

/** Equal numbers up to float8 summation order (the database sums in another order than this test). */
function near(actual: unknown, expected: unknown, path = '$'): void {
  if (typeof expected === 'number') {
    assert.equal(typeof actual, 'number', path);
    const tolerance = 1e-9 * Math.max(1, Math.abs(expected));
    assert.ok(Math.abs((actual as number) - expected) <= tolerance, `${path}: ${String(actual)} vs ${expected}`);
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual) && actual.length === expected.length, `${path}: length`);
    expected.forEach((e, i) => near((actual as unknown[])[i], e, `${path}[${i}]`));
  } else if (expected !== null && typeof expected === 'object') {
    assert.deepEqual(Object.keys(actual as object).sort(), Object.keys(expected).sort(), `${path}: fields`);
    for (const [k, e] of Object.entries(expected)) near((actual as Record<string, unknown>)[k], e, `${path}.${k}`);
  } else assert.deepEqual(actual, expected, path);
}

/** In-memory totals of the reports sent to `scope` in [since, until). */
function totals(scope: string, since = new Date(0), until = new Date(8.64e15)) {
  const of = (s: string) =>
    totalsOf(sent.filter((x) => x.at >= since && x.at < until && x.report.scope === s).map((x) => x.report));
  const vector = of(scope).find((t) => t.group.key.mechanism === 'privunit' && t.group.key.epsilon === 4)!;
  // Undefined where the range holds no report of that mechanism.
  const category = (name: string) => of(`${scope}-${name}`).find((t) => t.group.key.mechanism === name)!;
  const v: VectorTotals = { count: vector.count, sums: vector.sums, squares: vector.squares! };
  return { v, krr: category('krr'), oue: category('oue') };
}

type Totals = ReturnType<typeof totals>;

function expectedVector(a: Totals, b: Totals) {
  const { test: meansTest, ...difference } = compareMeans(a.v, b.v);
  return {
    a: { count: a.v.count, normSquared: normSquared(a.v) },
    b: { count: b.v.count, normSquared: normSquared(b.v) },
    dot: dot(a.v, b.v),
    cosine: cosine(a.v, b.v),
    difference,
    test: meansTest,
  };
}

function expectedAnswer(a: Totals, b: Totals) {
  const categories = (['krr', 'oue'] as const).map((name) => {
    const { p, q } = name === 'krr' ? krrProbabilities(1, 4) : oueProbabilities(1);
    const c = compareFrequencies(
      { count: a[name].count, counts: a[name].sums, p, q },
      { count: b[name].count, counts: b[name].sums, p, q },
      name,
    );
    return { labels: null, ...c };
  });
  return { vector: expectedVector(a, b), categories };
}

test('GET /compare of two scopes answers every matched group with the estimators of src/analysis', async () => {
  const answer = await get<CompareAnswer>('/compare?a.scope=before&b.scope=after');
  assert.deepEqual(answer.a, { scope: 'before', since: null, until: null });
  assert.deepEqual(answer.b, { scope: 'after', since: null, until: null });
  assert.equal(answer.vectors.length, 1);
  assert.equal(answer.categories.length, 0);
  assert.deepEqual(answer.failed, []);
  const expected = expectedAnswer(totals('before'), totals('after'));
  const categories = [];
  for (const name of ['krr', 'oue']) {
    const pair = await get<CompareAnswer>(`/compare?a.scope=before-${name}&b.scope=after-${name}`);
    assert.deepEqual([pair.vectors.length, pair.categories.length, pair.unmatched.length], [0, 1, 0]);
    categories.push(...pair.categories);
  }
  const { key, ...vector } = answer.vectors[0]!;
  assert.deepEqual(key, {
    model: 'mobilenet_v2/test_features/8',
    projection: null,
    mechanism: 'privunit',
    epsilon: 4,
    delta: 0,
    clip: null,
  });
  near(vector, JSON.parse(JSON.stringify(expected.vector)));
  assert.equal(vector.test!.df, 8);
  assert.equal(vector.test!.method, 'wald-chi2-diagonal');
  for (const c of categories) {
    const { key: k, ...rest } = c;
    const e = expected.categories[k.mechanism === 'krr' ? 0 : 1]!;
    near(rest, JSON.parse(JSON.stringify(e)), k.mechanism);
    assert.equal(rest.test.method, k.mechanism === 'krr' ? 'pearson-chi2-homogeneity' : 'wald-chi2-pooled-bits');
  }
  // The group at ε 2 has no partner on side b.
  assert.equal(answer.unmatched.length, 1);
  assert.deepEqual(
    {
      side: answer.unmatched[0]!.side,
      count: answer.unmatched[0]!.count,
      epsilon: answer.unmatched[0]!.key.epsilon,
    },
    { side: 'a', count: 1, epsilon: 2 },
  );
});

test('GET /compare of two receive-time ranges of one scope reads only the reports of each range', async () => {
  const path =
    '/compare?a.scope=before&b.scope=before&a.since=2026-11-30T08:00:00Z&a.until=2026-11-30T08:20:00Z' +
    '&b.since=2026-11-30T08:20:00Z&b.until=2026-11-30T09:00:00Z';
  const answer = await get<CompareAnswer>(path);
  assert.deepEqual(answer.a, { scope: 'before', since: '2026-11-30T08:00:00.000Z', until: '2026-11-30T08:20:00.000Z' });
  // The group at ε 2 has its one report in the first range: nothing to match it with.
  assert.deepEqual(answer.categories, []);
  assert.deepEqual(
    answer.unmatched.map((u) => [u.side, u.key.mechanism, u.key.epsilon, u.count]),
    [['a', 'privunit', 2, 1]],
  );
  const a = totals('before', new Date('2026-11-30T08:00:00Z'), new Date('2026-11-30T08:20:00Z'));
  const b = totals('before', new Date('2026-11-30T08:20:00Z'), new Date('2026-11-30T09:00:00Z'));
  const { key: _key, ...vector } = answer.vectors[0]!;
  near(vector, JSON.parse(JSON.stringify(expectedVector(a, b))));
  assert.deepEqual([vector.a.count, vector.b.count], [12, 12]);
});

test('GET /compare refuses bad parameters with 400 InvalidParameterError naming the parameter', async () => {
  const cases: [string, RegExp][] = [
    ['b.scope=after', /a\.scope/],
    ['a.scope=before', /b\.scope/],
    ['a.scope=before&b.scope=after&a.since=yesterday', /a\.since/],
    ['a.scope=before&b.scope=after&b.since=2026-11-30T09:00:00Z&b.until=2026-11-30T08:00:00Z', /b\.until/],
    ['a.scope=before&b.scope=before', /must not overlap/],
    ['a.scope=before&b.scope=before&a.until=2026-11-30T09:00:00Z&b.since=2026-11-30T08:59:00Z', /must not overlap/],
  ];
  for (const [query, message] of cases) {
    const body = await get<{ error: { name: string; message: string } }>(`/compare?${query}`, 400);
    assert.equal(body.error.name, 'InvalidParameterError', query);
    assert.match(body.error.message, message, query);
  }
});

test('GET /aggregates gains normSquared for vectors and ci95 for categories, all other fields unchanged', async () => {
  const agg = await get<Aggregates>('/aggregates?scope=before');
  const v = agg.vectors.find((g) => g.key.epsilon === 4)!;
  assert.deepEqual(Object.keys(v).sort(), [
    'count',
    'expectedError',
    'key',
    'mean',
    'normSquared',
    'standardErrors',
    'theoreticalError',
  ]);
  near(v.normSquared, normSquared(totals('before').v));
  const c = (await get<Aggregates>('/aggregates?scope=before-krr')).categories.find((g) => g.key.mechanism === 'krr')!;
  // The labelled shares (category-shares.ts) came later, beside these fields.
  assert.deepEqual(Object.keys(c).sort(), [
    'ci95',
    'count',
    'counts',
    'frequencies',
    'key',
    'labels',
    'level',
    'minimumCount',
    'shares',
    'smallSample',
    'standardErrors',
    'warning',
  ]);
  c.ci95.forEach(([lo, hi], i) => {
    near(lo, c.frequencies[i]! - 1.959963984540054 * c.standardErrors[i]!);
    near(hi, c.frequencies[i]! + 1.959963984540054 * c.standardErrors[i]!);
  });
  const single = agg.vectors.find((g) => g.key.epsilon === 2)!;
  assert.equal(single.normSquared, null, 'one report has no variance');
});

test('GET /sample-size answers the calculator of src/analysis and refuses bad input by name', async () => {
  const category = await get<Record<string, unknown>>(
    '/sample-size?question=category&mechanism=oue&epsilon=2&k=6&p1=0.3&p2=0.2&alpha=0.01&power=0.9',
  );
  const expected = sampleSize({
    question: 'category',
    mechanism: 'oue',
    epsilon: 2,
    k: 6,
    p1: 0.3,
    p2: 0.2,
    alpha: 0.01,
    power: 0.9,
  });
  assert.deepEqual(category, JSON.parse(JSON.stringify(expected)));
  const mean = await get<{ perGroup: number; question: string; mechanism: string; epsilon: number }>(
    '/sample-size?question=mean&mechanism=gaussian&epsilon=2&dims=16&effect=0.5&delta=1e-7',
  );
  assert.equal(
    mean.perGroup,
    sampleSize({
      question: 'mean',
      mechanism: 'gaussian',
      epsilon: 2,
      dims: 16,
      effect: 0.5,
      delta: 1e-7,
      alpha: 0.05,
      power: 0.8,
    }).perGroup,
  );
  assert.deepEqual([mean.question, mean.mechanism, mean.epsilon], ['mean', 'gaussian', 2]);
  const bad: [string, string][] = [
    ['question=median&mechanism=krr&epsilon=1&k=4&p1=0.1&p2=0.2', 'question'],
    ['question=category&mechanism=privunit&epsilon=1&k=4&p1=0.1&p2=0.2', 'mechanism'],
    ['question=category&mechanism=krr&epsilon=abc&k=4&p1=0.1&p2=0.2', 'epsilon'],
    ['question=category&mechanism=krr&epsilon=1&k=4&p1=0.1', 'p2'],
    ['question=category&mechanism=krr&epsilon=1&k=4&p1=0.1&p2=0.2&alpha=2', 'alpha'],
    ['question=mean&mechanism=privunit&epsilon=1&dims=16', 'effect'],
    ['question=mean&mechanism=privunit&epsilon=1&dims=0&effect=0.5', 'dims'],
    ['question=mean&mechanism=gaussian&epsilon=1&dims=16&effect=0.5', 'delta'],
  ];
  for (const [query, parameter] of bad) {
    const body = await get<{ error: { name: string; message: string } }>(`/sample-size?${query}`, 400);
    assert.equal(body.error.name, 'InvalidParameterError', query);
    assert.match(body.error.message, new RegExp(`^${parameter}\\b|${parameter} must`), query);
  }
});
