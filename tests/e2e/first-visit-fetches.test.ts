// A first visit to the production build (dist/) as `npm start` serves it, counted by the server itself:
// the page, its workers and the service worker fetch each URL once, the one WASM build this browser
// runs and no other (the page asks for it ahead of the engine's worker, which finds it in the HTTP cache),
// and no engine code for a backend the browser does not run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startStaticServer, type ServedRequest, type StaticServer } from '../../scripts/static-server';

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');

let app: StaticServer;
let browser: Browser;
const served: ServedRequest[] = [];

before(async () => {
  app = await startStaticServer({
    root: dist,
    collectorUrl: 'http://127.0.0.1:9',
    onRequest: (r) => served.push(r),
  });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await app?.close();
});

/** Polls the page's cache `name` (one round trip each) until it holds an entry matching each of `urls`. */
async function waitForCached(page: Page, name: string, urls: readonly RegExp[]): Promise<string[]> {
  const keys = () => page.evaluate(async (n) => (await (await caches.open(n)).keys()).map((r) => r.url), name);
  let held = await keys();
  for (const end = Date.now() + 60_000; Date.now() < end && !urls.every((u) => held.some((h) => u.test(h)));)
    held = await keys();
  return held;
}

test('a first visit fetches each URL once, one WASM build, and no engine code it does not run', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${app.url}/`);
  await page.locator('engine-badge summary').waitFor({ timeout: 120_000 });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 120_000 });
  // The visit ends when the engine has kept its WASM build and the model files it fetched (offline use).
  const wasmKept = await waitForCached(page, 'obscura-wasm-v1', [/\.wasm$/]);
  const modelKept = await waitForCached(page, 'obscura-model-v1', [/model\.json$/, /\.bin$/]);
  const badge = await page.locator('engine-badge').evaluate((e) => (e.shadowRoot ?? e).textContent ?? '');
  const preloaded = await page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLLinkElement>('link[rel="preload"]'), (l) => new URL(l.href).pathname),
  );
  await context.close();

  const paths = served.filter((r) => r.status === 200).map((r) => new URL(r.url, app.url).pathname);
  const counts = new Map<string, number>();
  for (const p of paths) counts.set(p, (counts.get(p) ?? 0) + 1);
  const twice = [...counts].filter(([, n]) => n > 1).map(([p, n]) => `${p} x${n}`);
  assert.deepEqual(twice, [], `fetched more than once: ${twice.join(', ')}`);
  // What the visit needs did arrive, each once.
  for (const needed of [/^\/sw\.js$/, /\/engine\.worker-[\w-]+\.js$/, /block_12_add\/model\.json$/, /\.bin$/])
    assert.ok(
      paths.some((p) => needed.test(p)),
      `fetched: ${needed}`,
    );

  // One WASM build, the one the engine runs (and keeps).
  const wasm = paths.filter((p) => p.endsWith('.wasm'));
  assert.equal(wasm.length, 1, wasm.join(', '));
  assert.equal(wasmKept.length, 1, wasmKept.join(', '));
  assert.equal(new URL(wasmKept[0]!).pathname, wasm[0]);
  // The page asked for that build ahead of the engine's worker, beside the model's files (and for no other).
  assert.deepEqual(
    preloaded.filter((p) => p.endsWith('.wasm')),
    wasm,
  );
  assert.ok(
    preloaded.some((p) => p.endsWith('/block_12_add/group1-shard1of1.bin')),
    preloaded.join(', '),
  );
  assert.ok(modelKept.some((u) => u.endsWith('/block_12_add/group1-shard1of1.bin')));
  assert.match(badge, /wasm/);

  // Every script fetched is one the service worker precaches: the chunks of the backends this browser
  // does not run (left out of the precache) were never fetched.
  const sw = await readFile(join(dist, 'sw.js'), 'utf8');
  const precached = new Set([...sw.matchAll(/"url":"([^"]+)"/g)].map((m) => `/${m[1]}`));
  const listedScripts = [...sw.matchAll(/"url":"(assets\/[^"]+\.js)"/g)].length;
  assert.ok(listedScripts > 0, 'the service worker lists its precached scripts');
  const scripts = paths.filter((p) => p.startsWith('/assets/') && p.endsWith('.js'));
  const unlisted = scripts.filter((p) => !precached.has(p));
  assert.deepEqual(unlisted, [], `scripts fetched that the service worker does not precache: ${unlisted.join(', ')}`);
});
