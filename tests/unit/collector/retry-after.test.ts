// A browser reporter on another origin can only honour Retry-After if CORS exposes it: the
// collector exposes it on every answer to an allowed origin, and sends it with 429 (rate
// limit, PGlite) and 503 (its PostgreSQL server down: a real cluster, stopped).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startCollector, type TestCollector } from '../../support/collector';
import { startPostgresCluster, type PostgresCluster } from '../../support/postgres-cluster';
import { releasedReport, releasedTask } from './support';

const APP = 'http://app.test:5173';
const collectors: TestCollector[] = [];
let cluster: PostgresCluster | undefined;
after(async () => {
  for (const c of collectors) await c.close();
  await cluster?.stop();
});

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly error: { name: string; message: string } | undefined;
}

/** A POST from a browser page on APP, from a chosen local address (the rate limit is per address). */
function postFromApp(url: string, body: unknown, localAddress = '127.0.0.1'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = request(
      `${url}/reports`,
      { method: 'POST', localAddress, headers: { 'content-type': 'application/json', origin: APP } },
      (res) => {
        let data = '';
        res.on('data', (c: Buffer) => (data += c.toString()));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: new Headers(res.headers as Record<string, string>),
            error: data ? (JSON.parse(data) as { error?: Answer['error'] }).error : undefined,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

/** What a page on APP may read of an answer: the header is sent and CORS exposes it. */
function readableRetryAfter(a: Answer): number | null {
  const exposed = (a.headers.get('access-control-expose-headers') ?? '').split(/\s*,\s*/).map((h) => h.toLowerCase());
  if (a.headers.get('access-control-allow-origin') !== APP || !exposed.includes('retry-after')) return null;
  const value = a.headers.get('retry-after');
  return value === null ? null : Number(value);
}

test('429 over the rate limit carries a Retry-After that a page on another origin can read', async () => {
  const collector = await startCollector({ rateLimit: 2, allowedOrigins: [APP], tasks: [releasedTask('rate')] });
  collectors.push(collector);
  // A burst of 4 (twice the rate of 2/s) passes; the rest arrive before a token refills.
  const answers = await Promise.all(
    Array.from({ length: 8 }, () => postFromApp(collector.url, releasedReport('rate'), '127.0.2.1')),
  );
  const stored = answers.filter((a) => a.status === 201);
  const limited = answers.filter((a) => a.status === 429);
  assert.ok(stored.length >= 4 && limited.length >= 1, answers.map((a) => a.status).join(','));
  for (const a of limited) {
    assert.equal(a.error?.name, 'RateLimitedError');
    assert.ok(
      readableRetryAfter(a)! >= 1,
      `Retry-After ${a.headers.get('retry-after')}, exposed: ${a.headers.get('access-control-expose-headers')}`,
    );
  }
  assert.match(stored[0]!.headers.get('access-control-expose-headers') ?? '', /\bRetry-After\b/);
  const elsewhere = await postFromApp(collector.url, releasedReport('rate'), '127.0.2.2');
  assert.equal(elsewhere.status, 201, 'another client is not limited');
});

test('503 with a readable Retry-After while the PostgreSQL server is down', async () => {
  cluster = await startPostgresCluster();
  const databaseUrl = await cluster.createDatabase('retry');
  const collector = await startCollector({
    databaseUrl,
    allowedOrigins: [APP],
    readToken: 'retry-token',
    tasks: [releasedTask('down')],
  });
  collectors.push(collector);
  assert.equal((await postFromApp(collector.url, releasedReport('down'))).status, 201);
  await cluster.stop();
  const down = await postFromApp(collector.url, releasedReport('down'));
  assert.equal(down.status, 503, down.error?.message);
  assert.equal(down.error?.name, 'ServiceUnavailableError');
  assert.equal(readableRetryAfter(down), 5);
  // /health says so to anyone, with or without the read token.
  const anyone: Record<string, string> = {};
  for (const headers of [anyone, { authorization: 'Bearer retry-token' }]) {
    const health = await fetch(`${collector.url}/health`, { headers });
    assert.equal(health.status, 503);
    assert.equal(health.headers.get('retry-after'), '5');
  }
  const stats = await fetch(`${collector.url}/stats`, { headers: { authorization: 'Bearer retry-token' } });
  assert.equal(stats.status, 503, '/stats, a read, needs the database');
});
