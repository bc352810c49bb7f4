// The collector's defences over real HTTP (PGlite in memory): poisoning reports, the read
// token, the Host check against DNS rebinding, the per-client rate limit, slow clients
// and the NDJSON export. (Groups are bounded by the declared tasks: tasks.test.ts.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { request } from 'node:http';
import type { Aggregates } from '../../../collector/group-estimates';
import type { Report, VectorReport } from '../../../src/report/schema';
import { startCollector, type TestCollector } from '../../support/collector';
import { postReport, releasedReport, releasedTask } from './support';

const TOKEN = 'read-token-for-tests';
let collector: TestCollector;
/** Slow clients are cut by short timeouts; that collector is apart, so a loaded machine cannot cut the others. */
let slow: TestCollector;
/** The collector's clock moves only when a test moves it: rate-limit tokens refill only then. */
let now = Date.parse('2026-11-02T10:00:00Z');
before(async () => {
  collector = await startCollector({
    port: 0,
    readToken: TOKEN,
    rateLimit: 5,
    tasks: ['poison', 'health', 'stats', 'rate', 'ndjson'].map((scope) => releasedTask(scope)),
    clock: () => new Date(now),
  });
  slow = await startCollector({ port: 0, headersTimeoutMs: 400, requestTimeoutMs: 800 });
});
after(async () => {
  await collector?.close();
  await slow?.close();
});

const auth = { authorization: `Bearer ${TOKEN}` };
/** Every read endpoint: each needs the token and a Host of this collector. */
const READ_PATHS = [
  '/reports',
  '/aggregates',
  '/reports?since=2020-01-01T00:00:00Z',
  '/compare?a.scope=one&b.scope=other',
  '/sample-size?question=category&mechanism=krr&epsilon=1&k=4&p1=0.2&p2=0.3',
  '/stats',
];
/** Each POST comes from its own loopback address (127.0.0.x), so the rate limit does not mix tests. */
let nextAddress = 2;
const post = (body: unknown, from = `127.0.0.${nextAddress++}`) => postFrom(from, body);

/** A POST from a chosen local address (the rate limit is per client address). */
function postFrom(localAddress: string, body: unknown): Promise<{ status: number; headers: Headers; json: unknown }> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = request(
      `${collector.url}/reports`,
      { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } },
      (res) => {
        let data = '';
        res.on('data', (c: Buffer) => (data += c.toString()));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: new Headers(res.headers as Record<string, string>),
            json: data ? JSON.parse(data) : null,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

/** The vector scaled to norm 1 (what a PrivUnit report declaring scale 1 would have to carry). */
function normalised(v: readonly number[]): number[] {
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

test('poisoning reports are refused with 400 naming the issue, and unscoped aggregates still answer', async () => {
  assert.equal((await post(releasedReport('poison'))).status, 201);
  const krr = releasedReport('poison', { name: 'krr', epsilon: 1, k: 4 }) as Report & { category: object };
  const r = releasedReport('poison') as VectorReport;
  const cases: [string, unknown, RegExp][] = [
    [
      'k = 2^21',
      { ...krr, category: { codebook: 'c1', k: 2 ** 21, value: 5 } },
      /category\.k: Too big: expected number to be <=65536/,
    ],
    [
      '±1e308',
      { ...r, vector: r.vector.map((_, i) => (i % 2 ? 1e308 : -1e308)) },
      /vector: norm Infinity is not the PrivUnit scale/,
    ],
    [
      'declared scale',
      { ...r, mechanism: { ...r.mechanism, scale: 1 } },
      /vector: norm .* is not the PrivUnit scale 1/,
    ],
    [
      'scale and norm forged together',
      { ...r, mechanism: { ...r.mechanism, scale: 1 }, vector: normalised(r.vector) },
      /mechanism\.scale: expected .*, got 1/,
    ],
  ];
  for (const [label, body, message] of cases) {
    const res = await post(body);
    const { error } = res.json as { error: { name: string; message: string } };
    assert.equal(res.status, 400, label);
    assert.equal(error.name, 'InvalidReportError', label);
    assert.match(error.message, message, label);
  }
  const res = await fetch(`${collector.url}/aggregates`, { headers: auth });
  assert.equal(res.status, 200);
  const agg = (await res.json()) as Aggregates;
  const g = agg.vectors.find((v) => v.key.scope === 'poison')!;
  assert.equal(g.count, 1);
  assert.ok(g.mean.every(Number.isFinite) && g.theoreticalError! > 0);
  assert.deepEqual(agg.failed, []);
});

test('read endpoints need the bearer token; /health and POST do not', async () => {
  for (const path of READ_PATHS) {
    const none = await fetch(`${collector.url}${path}`);
    assert.equal(none.status, 401, path);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.equal(((await none.json()) as { error: { name: string } }).error.name, 'UnauthorizedError');
    const wrong = await fetch(`${collector.url}${path}`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 401, path);
    assert.equal((await fetch(`${collector.url}${path}`, { headers: auth })).status, 200, path);
  }
});

test('/health answers exactly {ok: true} with or without a token: it shows no count', async () => {
  assert.ok((await post(releasedReport('health'))).status < 300);
  const health = async (url: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${url}/health`, { headers });
    assert.equal(res.status, 200);
    return await res.text();
  };
  assert.equal(await health(collector.url), '{"ok":true}', 'no token');
  assert.equal(await health(collector.url, { authorization: 'Bearer nope' }), '{"ok":true}', 'a wrong token');
  assert.equal(await health(collector.url, auth), '{"ok":true}', 'the read token');
  assert.equal(await health(slow.url), '{"ok":true}', 'a collector without a read token');
});

test('GET /stats is a read: 401 with a typed error without the token, the count of reports with it', async () => {
  assert.ok((await post(releasedReport('stats'))).status < 300);
  for (const headers of [{}, { authorization: 'Bearer nope' }] as Record<string, string>[]) {
    const refused = await fetch(`${collector.url}/stats`, { headers });
    assert.equal(refused.status, 401);
    const body = (await refused.json()) as { error: { name: string; message: string } };
    assert.equal(body.error.name, 'UnauthorizedError');
    assert.match(body.error.message, /\/stats needs Authorization: Bearer/);
    assert.ok(!('reports' in body));
  }
  const res = await fetch(`${collector.url}/stats`, { headers: auth });
  assert.equal(res.status, 200);
  const stats = (await res.json()) as { reports: number };
  assert.equal(stats.reports, await collector.count());
  assert.ok(stats.reports >= 1);
});

/** A raw request with a chosen Host header (fetch does not let a page or a test set it). */
function withHost(path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${collector.url}${path}`, { headers: { host, ...auth } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The JSON body of a raw GET with a chosen Host header (and the token). */
function withHostBody(path: string, host: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(`${collector.url}${path}`, { headers: { host, ...auth } }, (res) => {
      let data = '';
      res.on('data', (c: Buffer) => (data += c.toString()));
      res.on('end', () => resolve(JSON.parse(data)));
    });
    req.on('error', reject);
    req.end();
  });
}

test('reads with a foreign Host are refused (DNS rebinding); the loopback names with the port pass', async () => {
  for (const path of READ_PATHS) {
    assert.equal(await withHost(path, `attacker.example:${collector.port}`), 403, path);
    assert.equal(await withHost(path, 'localhost'), 403, `${path} without the port`);
  }
  assert.equal(await withHost('/health', `attacker.example:${collector.port}`), 200, '/health answers anyone');
  const rebound = await withHostBody('/health', `attacker.example:${collector.port}`);
  assert.deepEqual(rebound, { ok: true }, 'and nothing more, even with the token');
  assert.equal(await withHost('/stats', `attacker.example:${collector.port}`), 403, '/stats is a read');
  for (const host of [`localhost:${collector.port}`, `127.0.0.1:${collector.port}`, `[::1]:${collector.port}`])
    assert.equal(await withHost('/aggregates', host), 200, host);
});

test('a client over its rate gets 429 with Retry-After; other clients go on', async () => {
  // 14 at once: a burst of 10 (twice the rate of 5/s) passes; with the clock still, no token refills.
  const answers = await Promise.all(Array.from({ length: 14 }, () => postFrom('127.0.1.1', releasedReport('rate'))));
  const statuses = answers.map((a) => a.status);
  assert.equal(statuses.filter((s) => s === 201).length, 10, statuses.join(','));
  const limited = answers.filter((a) => a.status === 429);
  assert.equal(limited.length, 4, statuses.join(','));
  assert.ok(Number(limited[0]!.headers.get('retry-after')) >= 1);
  assert.equal((limited[0]!.json as { error: { name: string } }).error.name, 'RateLimitedError');
  assert.equal((await postFrom('127.0.1.2', releasedReport('rate'))).status, 201);
});

test('a client trickling its headers is cut after the headers timeout; others are served meanwhile', async () => {
  const socket = connect(slow.port, '127.0.0.1');
  socket.on('error', () => {}); // EPIPE / ECONNRESET once the collector cuts it: the point of the test
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${slow.port}\r\n`);
  const trickle = setInterval(() => socket.write('X-Slow: 1\r\n'), 50);
  let answer = '';
  socket.on('data', (c: Buffer) => (answer += c.toString()));
  const started = Date.now();
  const closed = new Promise((resolve) => socket.once('close', resolve));
  assert.equal((await fetch(`${slow.url}/health`)).status, 200, 'served while the slow client trickles');
  await closed;
  clearInterval(trickle);
  assert.ok(Date.now() - started < 5_000, 'cut within the timeout and its check interval');
  assert.match(answer, /^HTTP\/1\.1 408|^$/);
});

test('a body trickled after the headers is cut at the request timeout', async () => {
  const socket = connect(slow.port, '127.0.0.1');
  socket.on('error', () => {}); // EPIPE / ECONNRESET once the collector cuts it: the point of the test
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(
    `POST /reports HTTP/1.1\r\nHost: 127.0.0.1:${slow.port}\r\n` +
      'Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n',
  );
  const trickle = setInterval(() => socket.write(' '), 50);
  await new Promise((resolve) => socket.once('close', resolve));
  clearInterval(trickle);
  assert.equal((await fetch(`${slow.url}/health`)).status, 200);
});

test('GET /reports?since= streams NDJSON, oldest first, of one scope or of all', async () => {
  now += 60_000;
  const since = new Date(now).toISOString();
  const sent = [releasedReport('ndjson'), releasedReport('ndjson'), releasedReport('ndjson')];
  for (const r of sent) {
    now += 1000;
    assert.equal((await post(r)).status, 201);
  }
  const res = await fetch(`${collector.url}/reports?scope=ndjson&since=${encodeURIComponent(since)}`, {
    headers: auth,
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /application\/x-ndjson/);
  const lines = (await res.text()).trim().split('\n');
  assert.deepEqual(
    lines.map((l) => (JSON.parse(l) as Report).id),
    sent.map((r) => r.id),
  );
  const bad = await fetch(`${collector.url}/reports?since=yesterday`, { headers: auth });
  assert.equal(bad.status, 400);
});
