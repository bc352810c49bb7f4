// The server npm start and the browser tests use: isolation headers, CSP, MIME types,
// config, no way out of its root, no crash on odd paths.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { startStaticServer, type StaticServer } from '../../../scripts/static-server';

let server: StaticServer;
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'obscura-dist-'));
  const root = join(dir, 'dist');
  await mkdir(join(root, 'assets'), { recursive: true });
  await mkdir(join(root, 'models', 'm'), { recursive: true });
  await writeFile(join(root, 'index.html'), '<!doctype html><title>x</title>');
  await writeFile(join(root, 'assets', 'a.wasm'), new Uint8Array([0, 97, 115, 109]));
  await writeFile(join(root, 'assets', 'w.js'), 'export {}');
  await writeFile(join(root, 'models', 'm', 'model.json'), '{}');
  await writeFile(join(root, 'models', 'm', 'group1-shard1of1.bin'), new Uint8Array(8));
  await writeFile(join(root, 'manifest.webmanifest'), '{}');
  await writeFile(join(root, 'favicon.svg'), '<svg/>');
  await writeFile(join(root, 'sw.js'), 'self.addEventListener("fetch", () => {});');
  await writeFile(join(root, 'icon.png'), new Uint8Array([137, 80, 78, 71]));
  await writeFile(join(dir, 'package.json'), '{"secret":"outside the root"}');
  server = await startStaticServer({ root, collectorUrl: 'http://127.0.0.1:5999' });
});
after(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A raw request, since fetch normalises ".." and refuses some paths. */
function raw(
  path: string,
  method = 'GET',
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('pages carry COOP/COEP and a CSP whose connect-src is the app and the collector only', async () => {
  const res = await fetch(`${server.url}/`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  assert.equal(res.headers.get('cross-origin-opener-policy'), 'same-origin');
  assert.equal(res.headers.get('cross-origin-embedder-policy'), 'require-corp');
  const csp = (res.headers.get('content-security-policy') ?? '').split(/;\s*/);
  for (const directive of [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self'",
    "connect-src 'self' http://127.0.0.1:5999",
    "img-src 'self' blob: data:",
    "media-src 'self' blob: mediastream:",
    "style-src 'self' 'unsafe-inline'",
  ])
    assert.ok(csp.includes(directive), `CSP has "${directive}": ${csp.join('; ')}`);
  const missing = await fetch(`${server.url}/missing.js`);
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get('cross-origin-embedder-policy'), 'require-corp', 'errors carry the headers too');
});

test('MIME types of what the app loads', async () => {
  const types: [string, RegExp][] = [
    ['/assets/a.wasm', /^application\/wasm$/],
    ['/assets/w.js', /^text\/javascript/],
    ['/models/m/model.json', /^application\/json/],
    ['/models/m/group1-shard1of1.bin', /^application\/octet-stream$/],
    ['/manifest.webmanifest', /^application\/manifest\+json$/],
    ['/favicon.svg', /^image\/svg\+xml$/],
    ['/icon.png', /^image\/png$/],
  ];
  for (const [path, type] of types) {
    const res = await fetch(`${server.url}${path}`);
    assert.equal(res.status, 200, path);
    assert.match(res.headers.get('content-type') ?? '', type, path);
    await res.arrayBuffer();
  }
  assert.equal(
    (await fetch(`${server.url}/assets/w.js`)).headers.get('cache-control'),
    'public, max-age=31536000, immutable',
  );
  assert.equal((await fetch(`${server.url}/models/m/model.json`)).headers.get('cache-control'), 'no-cache');
});

test('/config.json names the collector endpoint; other methods get 405; HEAD has no body', async () => {
  const res = await fetch(`${server.url}/config.json`);
  assert.deepEqual(await res.json(), {
    collectorUrl: 'http://127.0.0.1:5999/reports',
    widgetEndpoints: ['http://127.0.0.1:5999'],
  });
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  assert.equal((await fetch(`${server.url}/`, { method: 'POST' })).status, 405);
  const head = await raw('/assets/w.js', 'HEAD');
  assert.deepEqual([head.status, head.body, head.headers['content-length']], [200, '', '9']);
});

test('paths cannot leave the root, and odd paths do not crash the server', async () => {
  for (const path of [
    '/../package.json',
    '/..%2fpackage.json',
    '/%2e%2e/package.json',
    '/assets/..%2f..%2fpackage.json',
    '/%2e%2e%2fpackage.json',
  ]) {
    const res = await raw(path);
    assert.ok(res.status === 403 || res.status === 404, `${path}: ${res.status}`);
    assert.doesNotMatch(res.body, /secret/, path);
  }
  assert.equal((await raw('/%E0%A4%A')).status, 400, 'malformed percent-encoding');
  assert.equal((await raw('/index.html%00.png')).status, 400, 'NUL byte');
  assert.equal((await raw('/assets/')).status, 404, 'a folder without index.html');
  assert.equal((await fetch(`${server.url}/`)).status, 200, 'still up');
});

test('a busy port is an error, not a crash', async () => {
  await assert.rejects(
    startStaticServer({ root: dir, port: server.port, collectorUrl: 'http://127.0.0.1:5999' }),
    /EADDRINUSE/,
  );
});

test('the service worker is never served from a cache, may control the whole app, and keeps the CSP', async () => {
  const res = await raw('/sw.js');
  assert.equal(res.status, 200);
  assert.match(String(res.headers['content-type']), /^text\/javascript/);
  assert.match(String(res.headers['cache-control']), /no-cache/);
  assert.equal(res.headers['service-worker-allowed'], '/');
  // Its CSP governs what it fetches: the collector, nothing else.
  assert.match(String(res.headers['content-security-policy']), /connect-src 'self' http:\/\/127\.0\.0\.1:5999/);
  const manifest = await raw('/manifest.webmanifest');
  assert.equal(manifest.headers['content-type'], 'application/manifest+json');
  assert.equal(manifest.headers['service-worker-allowed'], undefined);
});

test("an aggregate-only deployment's aggregators join connect-src and /config.json, nothing else", async () => {
  const other = await startStaticServer({
    root: join(dir, 'dist'),
    collectorUrl: 'http://127.0.0.1:5999',
    aggregators: ['https://leader.example/', 'https://helper.example:8443/x'],
  });
  try {
    const res = await fetch(`${other.url}/config.json`);
    const csp = (res.headers.get('content-security-policy') ?? '').split(/;\s*/);
    assert.ok(
      csp.includes("connect-src 'self' http://127.0.0.1:5999 https://leader.example https://helper.example:8443"),
      csp.join('; '),
    );
    const config = (await res.json()) as { aggregators?: string[] };
    assert.deepEqual(config.aggregators, ['https://leader.example', 'https://helper.example:8443']);
  } finally {
    await other.close();
  }
});
