// The reference collector over real HTTP on 127.0.0.1, with its real embedded database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector, type Collector } from '../../../collector/server';
import { privatizeFeatures } from '../../../src/report/privatize-features';
import { buildCategoryReport } from '../../../src/report/build-report';
import { cryptoRandomSource, krrProbabilities, privatizeCategory, frequencyVariance } from '../../../src/privacy/index';
import type { VectorReport } from '../../../src/report/schema';
import { ALPHA, zFor } from '../../support/stats';
import { normalCdf } from '../../../src/privacy/math/special';

const ORIGIN = 'http://app.test:5173';
const model = { id: 'mobilenet_v2', layer: 'block_12_add', dims: 4 };
let collector: Collector;
let dataDir: string;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'obscura-collector-'));
  collector = await startCollector({ dataDir, allowedOrigins: [ORIGIN] });
});
after(async () => collector?.close());

const report = (vector: number[], scope = 'test'): VectorReport => privatizeFeatures(vector, model, { mechanism: { name: 'gaussian', epsilon: 4, delta: 1e-6 }, scope }, cryptoRandomSource);
const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${collector.url}/reports`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

test('a valid report is stored (201), a retry of it is not stored twice (200), a different body under its id is 409', async () => {
  const r = report([1, 2, 3, 4]);
  assert.equal((await post(r, { 'idempotency-key': r.id })).status, 201);
  assert.equal((await post(r, { 'idempotency-key': r.id })).status, 200);
  assert.equal((await post({ ...r, vector: r.vector.map((x) => x + 1) })).status, 409);
  const ids = await collector.store.ids();
  assert.equal(ids.filter((id) => id === r.id).length, 1);
});

test('20 concurrent POSTs of one report store exactly one row', async () => {
  const r = report([4, 3, 2, 1]);
  const statuses = await Promise.all(Array.from({ length: 20 }, () => post(r, { 'idempotency-key': r.id }).then((x) => x.status)));
  assert.equal(statuses.filter((s) => s === 201).length, 1);
  assert.equal(statuses.filter((s) => s === 200).length, 19);
  assert.equal((await collector.store.ids()).filter((id) => id === r.id).length, 1);
});

test('invalid input gets a clear error and the server keeps going', async () => {
  const r = report([1, 1, 1, 1]);
  const cases: [unknown, number, RegExp][] = [
    ['{not json', 400, /not JSON/],
    [{ ...r, vector: [1, 2] }, 400, /vector: expected 4 values, got 2/],
    [{ ...r, mechanism: { ...r.mechanism, epsilon: -1 } }, 400, /epsilon/],
    [{ ...r, extra: 'field' }, 400, /InvalidReportError|Unrecognized/],
    ['x'.repeat(2 * 1024 * 1024), 413, /at most/],
  ];
  for (const [body, status, message] of cases) {
    const res = await post(body);
    assert.equal(res.status, status);
    assert.match(JSON.stringify(await res.json()), message);
  }
  assert.equal((await post(r, { 'idempotency-key': 'another-id' })).status, 400);
  assert.equal((await fetch(`${collector.url}/reports`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' })).status, 415);
  assert.equal((await fetch(`${collector.url}/health`)).status, 200);
});

test('CORS: the app origin gets preflight and headers; other origins are refused', async () => {
  const pre = await fetch(`${collector.url}/reports`, { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'POST' } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), ORIGIN);
  assert.match(pre.headers.get('access-control-allow-headers') ?? '', /Idempotency-Key/);
  const evil = await fetch(`${collector.url}/reports`, { method: 'POST', headers: { origin: 'http://evil.test', 'content-type': 'application/json' }, body: JSON.stringify(report([1, 0, 0, 0])) });
  assert.equal(evil.status, 403);
});

test('aggregates: the mean of stored vectors per group, and unbiased k-RR frequencies', async () => {
  const vectors = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]];
  const stored = vectors.map((v) => report(v, 'agg'));
  for (const r of stored) await post(r);
  const krrScope = 'krr';
  const k = 4;
  const epsilon = 2;
  const n = 3000;
  const truth = [0.5, 0.3, 0.15, 0.05];
  for (let i = 0; i < n; i++) {
    const value = i < 1500 ? 0 : i < 2400 ? 1 : i < 2850 ? 2 : 3;
    const release = privatizeCategory(value, { name: 'krr', epsilon, k }, cryptoRandomSource);
    await post(buildCategoryReport(release, 'fmnist-centroids', { scope: krrScope, model, projection: null, source: cryptoRandomSource }));
  }
  const agg = (await (await fetch(`${collector.url}/aggregates`)).json()) as { vectors: { key: { scope: string }; count: number; mean: number[]; expectedError: number }[]; categories: { key: { scope: string }; count: number; frequencies: number[] }[] };
  const group = agg.vectors.find((g) => g.key.scope === 'agg')!;
  assert.equal(group.count, 3);
  group.mean.forEach((m, j) => assert.ok(Math.abs(m - stored.reduce((s, r) => s + (r as { vector: number[] }).vector[j]!, 0) / 3) < 1e-12));
  assert.ok(group.expectedError > 0);
  const cats = agg.categories.find((g) => g.key.scope === krrScope)!;
  assert.equal(cats.count, n);
  const { p, q } = krrProbabilities(epsilon, k);
  const z = zFor(ALPHA / k, normalCdf);
  cats.frequencies.forEach((f, v) => assert.ok(Math.abs(f - truth[v]!) < z * Math.sqrt(frequencyVariance(truth[v]!, n, p, q)), `category ${v}: ${f}`));
});

test('fault injection, pause/resume on the same port, and persistence across a restart', async () => {
  const r1 = report([0.3, 0.3, 0.3, 0.3], 'faults');
  collector.faults.failNext = 1;
  assert.equal((await post(r1)).status, 500);
  collector.faults.dropNext = 1;
  await assert.rejects(post(r1));
  assert.equal((await post(r1)).status, 201);
  await collector.pause();
  await assert.rejects(fetch(`${collector.url}/health`));
  await collector.resume();
  assert.equal((await fetch(`${collector.url}/health`)).status, 200);
  const before = await collector.store.count();
  await collector.close();
  collector = await startCollector({ dataDir, allowedOrigins: [ORIGIN] });
  assert.equal(await collector.store.count(), before);
  assert.equal((await post(r1)).status, 200, 'still known after the restart');
});
