// The collector under stress and faults, over real HTTP: CORS, malformed and huge
// bodies, injected faults, being down, restarts on the same data folder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector, type TestCollector as Collector } from '../../support/collector';
import { laplaceTask, postReport, vectorReport } from './support';

const APP = 'http://localhost:5173';
const TASKS = ['faults', 'cors', 'huge', 'faults2', 'persist'].map((scope) => laplaceTask(scope));
let collector: Collector;
let dataDir: string;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'obscura-collector-'));
  collector = await startCollector({ port: 0, dataDir, allowedOrigins: [APP], faults: { failNext: 1 }, tasks: TASKS });
});
after(async () => {
  await collector?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const post = (body: unknown, headers?: Record<string, string>) => postReport(collector.url, body, headers);

/** Status of a raw request (fetch cannot lie about Content-Length), or the socket error's code. */
function raw(
  path: string,
  method: string,
  headers: Record<string, string | number>,
  body?: (write: (b: Buffer) => boolean) => void,
): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(`${collector.url}${path}`, { method, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    if (body) body((b) => req.write(b));
    req.end();
  });
}

test('the faults option takes effect from the start: the first POST gets 500', async () => {
  const r = vectorReport([1, 2, 3, 4], 'faults');
  const res = await post(r);
  assert.equal(res.status, 500);
  assert.equal(((await res.json()) as { error: { name: string } }).error.name, 'InjectedFaultError');
  assert.equal((await post(r)).status, 201);
});

test('CORS: preflight for the app origin, refusal of other origins and methods', async () => {
  const pre = await fetch(`${collector.url}/reports`, {
    method: 'OPTIONS',
    headers: {
      origin: APP,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type,idempotency-key',
    },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), APP);
  assert.equal(pre.headers.get('access-control-allow-methods'), 'GET, POST');
  assert.match(pre.headers.get('access-control-allow-headers') ?? '', /Idempotency-Key/);
  assert.match(pre.headers.get('vary') ?? '', /Origin/);
  const put = await fetch(`${collector.url}/reports`, {
    method: 'OPTIONS',
    headers: { origin: APP, 'access-control-request-method': 'DELETE' },
  });
  assert.equal(put.status, 405);

  const evilPre = await fetch(`${collector.url}/reports`, {
    method: 'OPTIONS',
    headers: { origin: 'http://evil.test', 'access-control-request-method': 'POST' },
  });
  assert.equal(evilPre.status, 403);
  assert.equal(evilPre.headers.get('access-control-allow-origin'), null);
  const r = vectorReport([1, 0, 0, 0], 'cors');
  const evil = await post(r, { origin: 'http://evil.test' });
  assert.equal(evil.status, 403);
  assert.equal(((await evil.json()) as { error: { name: string } }).error.name, 'OriginNotAllowedError');
  assert.equal(await collector.count('cors'), 0);

  const ok = await post(r, { origin: APP });
  assert.equal(ok.status, 201);
  assert.equal(ok.headers.get('access-control-allow-origin'), APP);
  assert.equal(ok.headers.get('cross-origin-resource-policy'), 'cross-origin');
  collector.allowOrigin('http://127.0.0.1:5173');
  assert.equal((await fetch(`${collector.url}/health`, { headers: { origin: 'http://127.0.0.1:5173' } })).status, 200);
});

test('malformed and huge bodies are refused without crashing', async () => {
  const r = vectorReport([1, 1, 1, 1], 'huge');
  assert.equal((await post('['.repeat(900_000))).status, 400, 'deeply nested JSON');
  assert.equal((await post(Buffer.from([0xff, 0xfe, 0x00, 0x7b]).toString('latin1'))).status, 400, 'not UTF-8 JSON');
  const big = await post({ ...r, pad: 'x'.repeat(2 * 1024 * 1024) });
  assert.equal(big.status, 413);
  assert.match(((await big.json()) as { error: { message: string } }).error.message, /at most 1048576 bytes/);
  // Declared far over the limit: refused at once, whatever the client then does.
  const declared = await raw(
    '/reports',
    'POST',
    { 'content-type': 'application/json', 'content-length': 500 * 1024 * 1024 },
    (write) => write(Buffer.alloc(1024)),
  );
  assert.ok(declared === 413 || declared === 'ECONNRESET' || declared === 'EPIPE', String(declared));
  // Streamed without a length, past the drain limit: the connection is cut.
  const streamed = await raw(
    '/reports',
    'POST',
    { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    (write) => {
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      for (let i = 0; i < 40; i++) write(chunk);
    },
  );
  assert.ok(streamed === 413 || streamed === 'ECONNRESET' || streamed === 'EPIPE', String(streamed));
  assert.equal((await fetch(`${collector.url}/health`)).status, 200, 'still up');
  assert.equal((await post(r)).status, 201, 'and still storing');
});

test('fault injection: 500s, dropped connections, an answer lost after storing, down on the same port', async () => {
  const r = vectorReport([0.5, 0.5, 0.5, 0.5], 'faults2');
  collector.faults.failNext = 2;
  collector.faults.dropNext = 1;
  await assert.rejects(post(r), 'the connection is dropped');
  assert.equal((await post(r)).status, 500);
  assert.equal((await post(r)).status, 500);
  assert.equal(await collector.count('faults2'), 0);
  assert.equal((await fetch(`${collector.url}/health`)).status, 200, 'GETs do not use faults up');

  const lost = vectorReport([0.25, 0.25, 0.25, 0.25], 'faults2');
  collector.faults.dropAfterStoreNext = 1;
  await assert.rejects(post(lost), 'stored, but the answer is lost');
  assert.equal((await post(lost)).status, 200, 'the retry learns it was delivered');
  assert.equal((await post(r)).status, 201);
  assert.deepEqual(await collector.ids('faults2'), [lost.id, r.id]);

  await collector.pause();
  assert.equal(collector.listening, false);
  await assert.rejects(fetch(`${collector.url}/health`));
  await collector.resume();
  assert.equal((await fetch(`${collector.url}/health`)).status, 200);
  assert.deepEqual(collector.faults, { failNext: 0, dropNext: 0, dropAfterStoreNext: 0 });
});

test('one collector per data folder; a busy port is reported and releases the folder', async () => {
  await assert.rejects(
    startCollector({ port: 0, dataDir, tasks: TASKS }),
    (err: Error) => err.name === 'StorageUnavailableError' && /in use by process/.test(err.message),
  );
  const other = await mkdtemp(join(tmpdir(), 'obscura-collector-'));
  await assert.rejects(startCollector({ port: collector.port, inMemory: true }), /EADDRINUSE/);
  await assert.rejects(startCollector({ dataDir: other, inMemory: true }), /one of databaseUrl, dataDir or inMemory/);
  await rm(other, { recursive: true, force: true });
});

test('reports persist across a restart with the same data folder', async () => {
  const before = await collector.ids();
  assert.ok(before.length >= 4);
  const known = vectorReport([1, 2, 3, 4], 'persist');
  assert.equal((await post(known)).status, 201);
  await collector.close();
  collector = await startCollector({ port: 0, dataDir, allowedOrigins: [APP], tasks: TASKS });
  assert.deepEqual(await collector.ids(), [...before, known.id]);
  assert.equal((await post(known)).status, 200, 'still known after the restart');
  const agg = await collector.aggregates('persist');
  assert.deepEqual(agg.vectors[0]?.mean, [1, 2, 3, 4]);
});
