// The server kit as the three servers use it, on a real socket: one error body for every refusal,
// the route table's 404/405/OPTIONS, CORS from an allow-list with no wildcard, body-size limits,
// the handler time limit, and a stop that lets a request in flight finish.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { ObscuraError } from '../../../src/errors';
import {
  checkOrigin,
  createApp,
  HttpError,
  listen,
  nodeListener,
  readJson,
  readText,
  type AppOptions,
  type Listening,
} from '../../../server-kit/index';

const servers: Listening[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

const APP = 'https://app.example';

async function serve(options: Partial<AppOptions> & Pick<AppOptions, 'routes'>): Promise<Listening> {
  const served = await listen(nodeListener(createApp(options).fetch));
  servers.push(served);
  return served;
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A raw request (fetch sets its own Origin rules and cannot send a chunked body by hand). */
function send(
  url: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; chunks?: readonly string[] } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    for (const chunk of options.chunks ?? []) req.write(chunk);
    req.end();
  });
}

function errorOf(a: Answer): { name: string; message: string; [k: string]: unknown } {
  return (JSON.parse(a.body) as { error: { name: string; message: string } }).error;
}

test('refusals share one JSON error body; the route table answers 404, 405 and OPTIONS alike', async () => {
  const s = await serve({
    routes: [
      { path: '/things', methods: { GET: (c) => c.json({ things: [] }) } },
      {
        path: '/things/:id',
        methods: {
          GET: (c) => {
            throw new HttpError(404, 'UnknownThingError', `no thing ${c.req.param('id')}`, {
              headers: { 'Retry-After': '3' },
              extra: { known: ['a'] },
            });
          },
        },
      },
      { path: '/broken', methods: { GET: () => Promise.reject(new ObscuraError('InvalidTaskError', 'bad task')) } },
      { path: '/crash', methods: { GET: () => Promise.reject(new Error('boom')) } },
    ],
  });
  assert.deepEqual(JSON.parse((await send(s.url, '/things')).body), { things: [] });

  const unknown = await send(s.url, '/things/x');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.headers['retry-after'], '3');
  assert.equal(unknown.headers['cache-control'], 'no-store');
  assert.match(String(unknown.headers['content-type']), /^application\/json/);
  assert.deepEqual(errorOf(unknown), { name: 'UnknownThingError', message: 'no thing x', known: ['a'] });

  const missing = await send(s.url, '/nowhere');
  assert.equal(missing.status, 404);
  assert.equal(errorOf(missing).name, 'NotFoundError');
  assert.match(errorOf(missing).message, /endpoints: \/things, \/things\/:id/);

  const post = await send(s.url, '/things', { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers['allow'], 'GET, OPTIONS');
  assert.equal(errorOf(post).name, 'MethodNotAllowedError');

  const options = await send(s.url, '/things', { method: 'OPTIONS' });
  assert.deepEqual([options.status, options.headers['allow']], [204, 'GET, OPTIONS']);
  const wrongPreflight = await send(s.url, '/things', {
    method: 'OPTIONS',
    headers: { 'access-control-request-method': 'DELETE' },
  });
  assert.equal(wrongPreflight.status, 405);

  // A named error that escapes a handler keeps its name; a bare Error is an InternalError.
  assert.deepEqual(
    [(await send(s.url, '/broken')).status, errorOf(await send(s.url, '/broken')).name],
    [500, 'InvalidTaskError'],
  );
  const crash = await send(s.url, '/crash');
  assert.deepEqual([crash.status, errorOf(crash)], [500, { name: 'InternalError', message: 'boom' }]);
});

test('a server classifies failures that are not the request fault (a database away: 503)', async () => {
  const s = await serve({
    routes: [{ path: '/health', methods: { GET: () => Promise.reject(new Error('ECONNREFUSED')) } }],
    classify: (err) =>
      (err as Error).message === 'ECONNREFUSED'
        ? new HttpError(503, 'ServiceUnavailableError', 'the database is away', { headers: { 'Retry-After': '5' } })
        : undefined,
  });
  const a = await send(s.url, '/health');
  assert.deepEqual([a.status, a.headers['retry-after'], errorOf(a).name], [503, '5', 'ServiceUnavailableError']);
});

test('CORS answers listed origins by name, refuses the others, and has no wildcard', async () => {
  const origins = new Set([APP]);
  const s = await serve({
    routes: [{ path: '/reports', methods: { POST: (c) => c.json({ ok: true }, 201) } }],
    cors: {
      origins,
      methods: ['POST'],
      headers: ['Content-Type'],
      exposed: ['Retry-After'],
      crossOriginResource: true,
    },
  });
  const preflight = await send(s.url, '/reports', {
    method: 'OPTIONS',
    headers: { origin: APP, 'access-control-request-method': 'POST' },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers['access-control-allow-origin'], APP);
  assert.equal(preflight.headers['access-control-allow-methods'], 'POST');
  assert.equal(preflight.headers['access-control-allow-headers'], 'Content-Type');
  assert.equal(preflight.headers['access-control-max-age'], '600');
  assert.equal(preflight.headers['vary'], 'Origin');

  const allowed = await send(s.url, '/reports', { method: 'POST', headers: { origin: APP } });
  assert.equal(allowed.status, 201);
  assert.equal(allowed.headers['access-control-allow-origin'], APP);
  assert.equal(allowed.headers['access-control-expose-headers'], 'Retry-After');
  assert.equal(allowed.headers['cross-origin-resource-policy'], 'cross-origin');

  for (const method of ['OPTIONS', 'POST']) {
    const evil = await send(s.url, '/reports', { method, headers: { origin: 'https://evil.example' } });
    assert.equal(evil.status, 403, method);
    assert.equal(evil.headers['access-control-allow-origin'], undefined, method);
    assert.equal(errorOf(evil).name, 'OriginNotAllowedError', method);
  }
  // Without an Origin header (curl, the CLI, a peer server) there is nothing to allow.
  const noOrigin = await send(s.url, '/reports', { method: 'POST' });
  assert.deepEqual([noOrigin.status, noOrigin.headers['access-control-allow-origin']], [201, undefined]);

  // The list is read on every request.
  origins.add('http://127.0.0.1:5173');
  const added = await send(s.url, '/reports', { method: 'POST', headers: { origin: 'http://127.0.0.1:5173' } });
  assert.equal(added.headers['access-control-allow-origin'], 'http://127.0.0.1:5173');

  for (const bad of ['*', 'https://app.example/', 'app.example', 'null'])
    assert.throws(() => checkOrigin(bad), { name: 'InvalidParameterError' }, bad);
  assert.equal(checkOrigin(APP), APP);
});

test('bodies over the limit get 413, declared or counted as they arrive; bad JSON a named 400', async () => {
  const s = await serve({
    routes: [
      { path: '/text', methods: { POST: async (c) => c.json({ text: await readText(c, 8) }) } },
      { path: '/json', methods: { POST: async (c) => c.json({ value: await readJson(c, 64, 'InvalidThingError') }) } },
    ],
  });
  const fits = await send(s.url, '/text', { method: 'POST', chunks: ['12345678'] });
  assert.deepEqual(JSON.parse(fits.body), { text: '12345678' });

  const declared = await send(s.url, '/text', {
    method: 'POST',
    headers: { 'content-length': '9' },
    chunks: ['123456789'],
  });
  assert.equal(declared.status, 413);
  assert.equal(declared.headers['connection'], 'close');
  assert.deepEqual(errorOf(declared), {
    name: 'PayloadTooLargeError',
    message: 'the body must be at most 8 bytes, got 9',
  });

  // Chunked: no length up front, refused once the count passes the limit.
  const chunked = await send(s.url, '/text', { method: 'POST', chunks: ['12345', '67890', 'abcde'] });
  assert.equal(chunked.status, 413);
  assert.equal(errorOf(chunked).name, 'PayloadTooLargeError');

  const json = await send(s.url, '/json', { method: 'POST', chunks: ['{"a":1}'] });
  assert.deepEqual(JSON.parse(json.body), { value: { a: 1 } });
  const notJson = await send(s.url, '/json', { method: 'POST', chunks: ['{"a":'] });
  assert.equal(notJson.status, 400);
  assert.equal(errorOf(notJson).name, 'InvalidThingError');
});

test('a handler over its time limit is answered 503 TimeoutError; a route may set its own limit', async () => {
  let finish: (() => void) | undefined;
  const stuck = new Promise<void>((resolve) => (finish = resolve));
  const s = await serve({
    handlerTimeoutMs: 50,
    routes: [
      { path: '/slow', methods: { GET: async (c) => (await stuck, c.json({ late: true })) } },
      { path: '/long', methods: { GET: async (c) => (await stuck, c.json({ done: true })) }, timeoutMs: Infinity },
    ],
  });
  const long = send(s.url, '/long');
  const slow = await send(s.url, '/slow');
  assert.equal(slow.status, 503);
  assert.equal(errorOf(slow).name, 'TimeoutError');
  finish!();
  assert.deepEqual(JSON.parse((await long).body), { done: true });
});

test('stopping refuses new connections and lets a request in flight finish', async () => {
  let entered: (() => void) | undefined;
  const inside = new Promise<void>((resolve) => (entered = resolve));
  const s = await serve({
    routes: [
      {
        path: '/upload',
        methods: {
          POST: async (c) => {
            entered!();
            return c.json({ text: await readText(c, 1024) });
          },
        },
      },
    ],
  });
  // Headers and half the body now; the rest once the server is stopping.

  const req = request(`${s.url}/upload`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', 'content-length': '10' },
  });
  const answer = new Promise<Answer>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
  });
  req.write('01234');
  await inside;
  assert.equal(s.inFlight, 1);
  const closed = s.close();
  await assert.rejects(send(s.url, '/upload', { method: 'POST' }), { code: 'ECONNREFUSED' });
  req.end('56789');
  const done = await answer;
  assert.deepEqual([done.status, JSON.parse(done.body)], [200, { text: '0123456789' }]);
  assert.equal(done.headers['connection'], 'close');
  await closed;
  assert.equal(s.inFlight, 0);
});
