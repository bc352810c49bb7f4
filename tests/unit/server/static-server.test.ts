// The server npm start uses: isolation headers, CSP, MIME types, config, no way out of its root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { startStaticServer } from '../../../scripts/static-server';

let server: Awaited<ReturnType<typeof startStaticServer>>;

before(async () => {
  const root = await mkdtemp(join(tmpdir(), 'obscura-dist-'));
  await mkdir(join(root, 'assets'));
  await writeFile(join(root, 'index.html'), '<!doctype html><title>x</title>');
  await writeFile(join(root, 'assets', 'a.wasm'), new Uint8Array([0, 97, 115, 109]));
  await writeFile(join(root, 'assets', 'w.js'), 'export {}');
  await writeFile(join(root, '..', 'secret.txt'), 'outside the root');
  server = await startStaticServer({ root, collectorUrl: 'http://127.0.0.1:5999' });
});
after(() => server?.close());

test('pages carry COOP/COEP and a CSP whose connect-src is the app and the collector only', async () => {
  const res = await fetch(`${server.url}/`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cross-origin-opener-policy'), 'same-origin');
  assert.equal(res.headers.get('cross-origin-embedder-policy'), 'require-corp');
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /connect-src 'self' http:\/\/127\.0\.0\.1:5999(;|$)/);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
  assert.match(csp, /default-src 'self'/);
});

test('MIME types, the config endpoint and 404s', async () => {
  assert.equal((await fetch(`${server.url}/assets/a.wasm`)).headers.get('content-type'), 'application/wasm');
  assert.match((await fetch(`${server.url}/assets/w.js`)).headers.get('content-type') ?? '', /text\/javascript/);
  assert.deepEqual(await (await fetch(`${server.url}/config.json`)).json(), { collectorUrl: 'http://127.0.0.1:5999/reports' });
  assert.equal((await fetch(`${server.url}/missing.js`)).status, 404);
  assert.equal((await fetch(`${server.url}/`, { method: 'POST' })).status, 405);
});

test('paths cannot leave the root', async () => {
  // A raw request, since fetch normalises "..".
  const status = await new Promise<number>((resolve) => {
    const req = request(`${server.url}/..%2fsecret.txt`, (res) => resolve(res.statusCode ?? 0));
    req.end();
  });
  assert.equal(status, 403, "an encoded ../ is refused");
  const raw = await new Promise<number>((resolve) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: '/../secret.txt' }, (res) => resolve(res.statusCode ?? 0));
    req.end();
  });
  assert.ok(raw === 403 || raw === 404, `status ${raw}`);
});
