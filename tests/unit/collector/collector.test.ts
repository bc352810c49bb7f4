// The reference collector over real HTTP on 127.0.0.1 (a free port), with its real
// embedded database: storing, idempotency, validation, listing and aggregates.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Aggregates } from '../../../collector/group-estimates';
import { startCollector, type TestCollector as Collector } from '../../support/collector';
import { ALPHA } from '../../support/stats';
import {
  bernsteinHalfWidth,
  krrReport,
  laplaceMechanism,
  postReport,
  seededUniform,
  simulateKrr,
  vectorReport,
  laplaceTask,
  categoryTask,
} from './support';

let collector: Collector;
before(async () => {
  collector = await startCollector({
    port: 0,
    inMemory: true,
    tasks: [
      ...['store', 'race', 'race2', 'invalid', 'list', 'test'].map((scope) => laplaceTask(scope)),
      laplaceTask('mean', [1, 2]),
      categoryTask('krr-http', 'krr', 2, 4),
    ],
  });
});
after(() => collector?.close());

const post = (body: unknown, headers?: Record<string, string>) => postReport(collector.url, body, headers);
const getJson = async <T>(path: string): Promise<T> => (await (await fetch(`${collector.url}${path}`)).json()) as T;

test('a report is stored (201) and listed; a retry is 200, stored once; another body under its id is 409', async () => {
  const r = vectorReport([0.125, 0.25, 0.375, 0.5], 'store');
  const first = await post(r);
  assert.equal(first.status, 201);
  assert.deepEqual(await first.json(), { id: r.id, outcome: 'stored' });
  const retry = await post(r);
  assert.equal(retry.status, 200);
  assert.deepEqual(await retry.json(), { id: r.id, outcome: 'duplicate' });
  const other = await post({ ...r, vector: [0.5, 0.375, 0.25, 0.125] });
  assert.equal(other.status, 409);
  assert.equal(((await other.json()) as { error: { name: string } }).error.name, 'ReportConflictError');
  assert.deepEqual(await collector.ids('store'), [r.id]);
  const listed = await getJson<{ reports: unknown[] }>('/reports?scope=store');
  assert.deepEqual(listed.reports, [r], 'the stored body is exactly the report');
});

test('20 concurrent POSTs of one report store one row; racing bodies under one id store one of them', async () => {
  const r = vectorReport([4, 3, 2, 1], 'race');
  const statuses = await Promise.all(Array.from({ length: 20 }, () => post(r).then((x) => x.status)));
  assert.deepEqual([statuses.filter((s) => s === 201).length, statuses.filter((s) => s === 200).length], [1, 19]);
  assert.equal(await collector.count('race'), 1);

  const a = vectorReport([1, 1, 1, 1], 'race2');
  const b = { ...a, vector: [2, 2, 2, 2] };
  const raced = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      post(i % 2 ? a : b).then(async (x) => ({ status: x.status, body: i % 2 ? a : b })),
    ),
  );
  assert.equal(await collector.count('race2'), 1);
  const [stored] = (await getJson<{ reports: { vector: number[] }[] }>('/reports?scope=race2')).reports;
  for (const { status, body } of raced) {
    const same = body.vector[0] === stored!.vector[0];
    assert.ok(
      same ? status === 201 || status === 200 : status === 409,
      `status ${status} for ${same ? 'the stored' : 'the other'} body`,
    );
  }
  assert.equal(raced.filter((x) => x.status === 201).length, 1);
});

test('invalid reports are refused with a clear error and nothing is stored', async () => {
  const r = vectorReport([1, 1, 1, 1], 'invalid');
  const cases: [string, unknown, RegExp][] = [
    ['wrong length', { ...r, vector: [1, 2] }, /vector: expected 4 values, got 2/],
    [
      'negative ε',
      { ...r, mechanism: { ...r.mechanism, epsilon: -1 } },
      /mechanism\.epsilon: Too small: expected number to be >=0\.01/,
    ],
    ['unknown field', { ...r, extra: 'field' }, /extra/],
    ['unknown mechanism', { ...r, mechanism: { ...r.mechanism, name: 'none' } }, /^invalid report/],
    ['vector with k-RR', { ...r, mechanism: { name: 'krr', epsilon: 1, delta: 0 } }, /releases a category/],
    ['off the grid', { ...r, vector: [1, 1, 1, 1 + 2 ** -40] }, /vector: .* is not a multiple of the grid step/],
    ['declared step', { ...r, mechanism: { ...r.mechanism, step: 1 } }, /mechanism\.step: expected .*, got 1/],
    ['bad id', { ...r, id: 'a b' }, /^invalid report: id: /],
    ['null', null, /invalid report/],
    ['not JSON', '{"v":1,', /body is not JSON/],
    ['empty body', '', /body is not JSON/],
  ];
  for (const [label, body, message] of cases) {
    const res = await post(body, { 'idempotency-key': r.id });
    const json = (await res.json()) as { error: { name: string; message: string } };
    assert.equal(res.status, 400, label);
    assert.equal(json.error.name, 'InvalidReportError', label);
    assert.match(json.error.message, message, label);
  }
  const short = (await (await post({ ...r, vector: [1] })).json()) as {
    error: { issues: { path: string; message: string }[] };
  };
  assert.deepEqual(
    short.error.issues,
    [{ path: 'vector', message: 'expected 4 values, got 1' }],
    'each problem with its path',
  );
  const mismatch = await post(r, { 'idempotency-key': 'another-id' });
  assert.equal(mismatch.status, 400);
  assert.match(
    ((await mismatch.json()) as { error: { message: string } }).error.message,
    /Idempotency-Key must equal the report id/,
  );
  assert.equal(await collector.count('invalid'), 0);
});

test('wrong content type, wrong method, unknown path and a bad limit get 415, 405, 404 and 400', async () => {
  const text = await fetch(`${collector.url}/reports`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: JSON.stringify(vectorReport([1, 1, 1, 1])),
  });
  assert.equal(text.status, 415);
  assert.equal(((await text.json()) as { error: { name: string } }).error.name, 'UnsupportedMediaTypeError');
  const put = await fetch(`${collector.url}/reports`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  assert.equal(put.status, 405);
  assert.equal(put.headers.get('allow'), 'GET, POST, OPTIONS');
  assert.equal((await fetch(`${collector.url}/aggregates`, { method: 'DELETE' })).status, 405);
  assert.equal((await fetch(`${collector.url}/admin`)).status, 404);
  assert.equal((await fetch(`${collector.url}/reports?limit=abc`)).status, 400);
  assert.equal((await fetch(`${collector.url}/reports?limit=0`)).status, 400);
});

test('GET /reports lists newest first, by scope, up to the limit', async () => {
  const reports = [
    vectorReport([1, 0, 0, 0], 'list'),
    vectorReport([0, 1, 0, 0], 'list'),
    vectorReport([0, 0, 1, 0], 'list'),
  ];
  for (const r of reports) assert.equal((await post(r)).status, 201);
  const listed = await getJson<{ reports: { id: string }[] }>('/reports?scope=list&limit=2');
  assert.deepEqual(
    listed.reports.map((r) => r.id),
    [reports[2]!.id, reports[1]!.id],
  );
  assert.deepEqual(
    await collector.ids('list'),
    reports.map((r) => r.id),
  );
});

test('GET /aggregates: the exact mean and error of known vectors, per group', async () => {
  const vectors = [
    [1, 0, 0, 2],
    [0, 1, 0, 2],
    [0, 0, 1, 2],
    [3, 3, 3, 2],
  ];
  for (const v of vectors) assert.equal((await post(vectorReport(v, 'mean'))).status, 201);
  assert.equal((await post(vectorReport([9, 9, 9, 9], 'mean', laplaceMechanism(4, 2)))).status, 201);
  const agg = await getJson<Aggregates>('/aggregates?scope=mean');
  assert.equal(agg.vectors.length, 2, 'the report at ε = 2 is its own group');
  const g = agg.vectors.find((x) => x.key.epsilon === 1)!;
  assert.deepEqual(g.key, {
    scope: 'mean',
    model: 'mobilenet_v2/global_average_pooling2d/4',
    projection: null,
    mechanism: 'laplace',
    epsilon: 1,
    delta: 0,
    clip: 1,
  });
  assert.equal(g.count, 4);
  assert.deepEqual(g.mean, [1, 1, 1, 2]);
  assert.ok(Math.abs(g.expectedError! - 1.5) < 1e-12);
  assert.ok(g.theoreticalError! > 0);
  const all = await getJson<Aggregates>('/aggregates');
  assert.ok(
    all.vectors.some((x) => x.key.scope === 'store'),
    'without a scope, every group',
  );
});

test('GET /aggregates: k-RR frequencies from 1 500 simulated reports (seed 7) are unbiased', async () => {
  const u = seededUniform(7);
  const [k, epsilon, n] = [4, 2, 1500];
  const values = Array.from({ length: n }, (_, i) => (i < 750 ? 0 : i < 1200 ? 1 : i < 1425 ? 2 : 3));
  const reports = values.map((x) => krrReport(simulateKrr(x, k, epsilon, u), k, epsilon, 'krr-http'));
  for (let i = 0; i < n; i += 50) {
    const statuses = await Promise.all(reports.slice(i, i + 50).map((r) => post(r).then((x) => x.status)));
    assert.ok(statuses.every((s) => s === 201));
  }
  const [g] = (await getJson<Aggregates>('/aggregates?scope=krr-http')).categories;
  assert.deepEqual([g!.count, g!.key.codebook, g!.key.k], [n, 'fmnist-10', k]);
  const e = Math.exp(epsilon);
  const [p, q] = [e / (e + k - 1), 1 / (e + k - 1)];
  [0.5, 0.3, 0.15, 0.05].forEach((f, v) => {
    const pi = f * p + (1 - f) * q;
    // Fails a correct estimator with probability ≤ 1e-8.
    const bound = bernsteinHalfWidth(n, pi * (1 - pi), ALPHA) / (p - q);
    assert.ok(Math.abs(g!.frequencies[v]! - f) <= bound, `category ${v}: ${g!.frequencies[v]} vs ${f} ± ${bound}`);
  });
});
