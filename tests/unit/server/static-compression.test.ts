// Files go out precompressed (brotli or gzip, as the request accepts) where the build made copies, each
// encoding with its own strong ETag; hashed assets are cached as immutable, everything else is revalidated
// by its ETag: 304 and no body when unchanged.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { acceptedEncodings, startStaticServer, type StaticServer } from '../../../scripts/static-server';
import { precompressFolder } from '../../../scripts/vite-precompress';

let server: StaticServer;
let root: string;
const script = `export const words = ${JSON.stringify(Array.from({ length: 400 }, (_, i) => `word-${i % 37}`))};\n`;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'obscura-compressed-'));
  await mkdir(join(root, 'assets'), { recursive: true });
  await mkdir(join(root, 'models', 'm'), { recursive: true });
  await writeFile(join(root, 'assets', 'app-Ab12Cd34.js'), script);
  await writeFile(join(root, 'assets', 'icon-Ab12Cd34.png'), new Uint8Array([137, 80, 78, 71]));
  await writeFile(join(root, 'index.html'), '<!doctype html><title>x</title>');
  await writeFile(join(root, 'sw.js'), 'self.addEventListener("fetch", () => {});');
  await writeFile(join(root, 'models', 'm', 'model.json'), '{"format":"graph-model"}');
  await precompressFolder(join(root, 'assets'));
  server = await startStaticServer({ root, collectorUrl: 'http://127.0.0.1:5999' });
});
after(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

interface RawAnswer {
  status: number;
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

/** A request with exactly these headers (fetch would add its own Accept-Encoding and decode). */
function raw(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the build step writes brotli and gzip copies of assets, not of formats already compressed', () => {
  assert.ok(existsSync(join(root, 'assets', 'app-Ab12Cd34.js.br')));
  assert.ok(existsSync(join(root, 'assets', 'app-Ab12Cd34.js.gz')));
  assert.ok(!existsSync(join(root, 'assets', 'icon-Ab12Cd34.png.br')));
  assert.ok(!existsSync(join(root, 'assets', 'icon-Ab12Cd34.png.gz')));
});

test('a hashed asset is sent in the best encoding the request accepts, immutable, varying on it', async () => {
  const path = '/assets/app-Ab12Cd34.js';
  const br = await raw(path, { 'accept-encoding': 'gzip, deflate, br' });
  assert.equal(br.status, 200);
  assert.equal(br.headers['content-encoding'], 'br');
  assert.equal(brotliDecompressSync(br.body).toString(), script);
  assert.ok(br.body.length < script.length / 4, `${br.body.length} bytes for ${script.length}`);
  assert.equal(Number(br.headers['content-length']), br.body.length);
  assert.equal(br.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.equal(br.headers['vary'], 'Accept-Encoding');
  assert.match(String(br.headers['content-type']), /^text\/javascript/);
  // The isolation headers are those of every answer.
  assert.equal(br.headers['cross-origin-embedder-policy'], 'require-corp');

  const gz = await raw(path, { 'accept-encoding': 'gzip;q=1.0, br;q=0' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(gunzipSync(gz.body).toString(), script);

  const plain = await raw(path);
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.body.toString(), script);
  assert.equal(plain.headers['vary'], 'Accept-Encoding');

  // Each encoding has its own strong validator.
  const tags = [br, gz, plain].map((r) => String(r.headers['etag']));
  for (const tag of tags) assert.match(tag, /^"[\w-]+"$/);
  assert.equal(new Set(tags).size, 3);
  // A file with no smaller copy is sent as stored.
  assert.equal(
    (await raw('/assets/icon-Ab12Cd34.png', { 'accept-encoding': 'br' })).headers['content-encoding'],
    undefined,
  );
});

test('HEAD of a compressed asset names its encoding and length and sends no body', async () => {
  const head = await raw('/assets/app-Ab12Cd34.js', { 'accept-encoding': 'br' }, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.equal(head.headers['content-encoding'], 'br');
  assert.equal(
    Number(head.headers['content-length']),
    (await readFile(join(root, 'assets', 'app-Ab12Cd34.js.br'))).length,
  );
});

test('files without a hash are revalidated: no-cache, and 304 with no body when the ETag matches', async () => {
  for (const path of ['/', '/index.html', '/sw.js', '/models/m/model.json', '/config.json']) {
    const first = await raw(path, { 'accept-encoding': 'br, gzip' });
    assert.equal(first.status, 200, path);
    assert.equal(first.headers['cache-control'], 'no-cache', path);
    assert.equal(first.headers['content-encoding'], undefined, path);
    const tag = String(first.headers['etag']);
    assert.match(tag, /^"[\w-]+"$/, path);
    const again = await raw(path, { 'if-none-match': tag });
    assert.equal(again.status, 304, path);
    assert.equal(again.body.length, 0, path);
    assert.equal(again.headers['etag'], tag, path);
    // Another validator, or a changed file, gets the whole body.
    assert.equal((await raw(path, { 'if-none-match': '"other"' })).status, 200, path);
  }
  assert.equal((await raw('/sw.js')).headers['service-worker-allowed'], '/');
  const asset = await raw('/assets/app-Ab12Cd34.js', { 'accept-encoding': 'br' });
  const revalidated = await raw('/assets/app-Ab12Cd34.js', {
    'accept-encoding': 'br',
    'if-none-match': String(asset.headers['etag']),
  });
  assert.equal(revalidated.status, 304);
});

test('the service worker and the model go out compressed where the build made copies, revalidated', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'obscura-compressed-root-'));
  await mkdir(join(folder, 'models', 'm'), { recursive: true });
  await writeFile(join(folder, 'sw.js'), script);
  await writeFile(join(folder, 'models', 'm', 'model.json'), JSON.stringify({ words: script }));
  await precompressFolder(folder, { recursive: true });
  const own = await startStaticServer({ root: folder, collectorUrl: 'http://127.0.0.1:5999' });
  try {
    for (const path of ['/sw.js', '/models/m/model.json']) {
      const get = (headers: Record<string, string>) =>
        new Promise<RawAnswer>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port: own.port, path, headers }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }),
            );
          });
          req.on('error', reject);
          req.end();
        });
      const first = await get({ 'accept-encoding': 'gzip, br' });
      assert.equal(first.headers['content-encoding'], 'br', path);
      assert.equal(first.headers['cache-control'], 'no-cache', path);
      assert.equal(first.headers['vary'], 'Accept-Encoding', path);
      assert.equal(brotliDecompressSync(first.body).toString(), await readFile(join(folder, path), 'utf8'), path);
      const again = await get({ 'accept-encoding': 'gzip, br', 'if-none-match': String(first.headers['etag']) });
      assert.equal(again.status, 304, path);
      const plain = await get({});
      assert.equal(plain.headers['content-encoding'], undefined, path);
      assert.notEqual(plain.headers['etag'], first.headers['etag'], path);
    }
  } finally {
    await own.close();
    await rm(folder, { recursive: true, force: true });
  }
});

test('a changed file gets a new ETag', async () => {
  const before = String((await raw('/index.html')).headers['etag']);
  await writeFile(join(root, 'index.html'), '<!doctype html><title>y</title>');
  const after = await raw('/index.html', { 'if-none-match': before });
  assert.equal(after.status, 200);
  assert.notEqual(after.headers['etag'], before);
});

test('Accept-Encoding is read with its q-values', () => {
  assert.deepEqual([...acceptedEncodings('gzip, deflate, br')], ['gzip', 'deflate', 'br']);
  assert.deepEqual([...acceptedEncodings('br;q=0, gzip;q=0.5')], ['gzip']);
  assert.deepEqual([...acceptedEncodings(undefined)], []);
  assert.deepEqual([...acceptedEncodings(['br', 'GZIP'])], ['br', 'gzip']);
});
