// The offline PWA on the production build served as `npm start` serves it, with its real service worker:
// online first load, offline reload, extraction and a queued release, delivery once back online, and an update.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startStaticServer, type StaticServer } from '../../scripts/static-server';
import { startCollector, type TestCollector } from '../support/collector';
import { SKIMAGE_DIR } from '../support/data-paths';

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');

let collector: TestCollector;
let app: StaticServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let nextBuild: string;

before(async () => {
  collector = await startCollector({ allowedOrigins: [] });
  app = await startStaticServer({ root: dist, collectorUrl: collector.url });
  collector.allowOrigin(app.url);
  nextBuild = await makeNextBuild();
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
  page = await context.newPage();
});
after(async () => {
  await browser?.close();
  await app?.close();
  await collector?.close();
  if (nextBuild) await rm(nextBuild, { recursive: true, force: true });
});

/**
 * A copy of dist/ as the next release would be: the shell changed (it names build 2) and the
 * service worker's precache manifest lists the shell's new revision, so the browser sees a new worker.
 */
async function makeNextBuild(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'obscura-next-build-'));
  await cp(dist, folder, { recursive: true });
  const index = join(folder, 'index.html');
  await writeFile(
    index,
    (await readFile(index, 'utf8')).replace('<head>', '<head><meta name="obscura-build" content="2">'),
  );
  const sw = join(folder, 'sw.js');
  const source = await readFile(sw, 'utf8');
  const entry = /"revision":"([0-9a-f]+)","url":"index\.html"|"url":"index\.html","revision":"([0-9a-f]+)"/.exec(
    source,
  );
  assert.ok(entry, 'the precache manifest lists index.html with a revision');
  const revision = entry[1] ?? entry[2]!;
  await writeFile(sw, source.replace(entry[0], entry[0].replace(revision, `${revision.slice(0, -4)}beef`)));
  // The build's compressed copies are of the files as they were: the server then sends these as they are.
  for (const file of [index, sw]) for (const suffix of ['.br', '.gz']) await rm(file + suffix, { force: true });
  return folder;
}

const rows = () => page.getByTestId('ledger-row');

async function waitForStored(count: number): Promise<void> {
  await collector.waitForStored(count);
  assert.equal(await collector.store.count(), count);
}

test('first load online installs the service worker, and it controls the page', async () => {
  await page.goto(app.url);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 60_000 });
  const cached = await page.evaluate(async () => {
    const names = await caches.keys();
    const urls: string[] = [];
    for (const name of names) for (const req of await (await caches.open(name)).keys()) urls.push(req.url);
    const precached = (await (await caches.open('obscura-precache-v1')).keys()).map((r) => r.url);
    return { names, urls, precached };
  });
  assert.ok(
    cached.names.some((n) => /^obscura-precache-v1$/.test(n)),
    `caches: ${cached.names.join(', ')}`,
  );
  for (const part of [
    /\/index\.html/,
    /engine\.worker-[\w-]+\.js/,
    /release\.worker-[\w-]+\.js/,
    /tfjs-backend-wasm-threaded-simd\.worker-[\w-]+\.js/,
  ])
    assert.ok(
      cached.urls.some((u) => part.test(u)),
      `precached: ${part}`,
    );
  // The full model is not precached: the app never loads it by default.
  assert.ok(!cached.urls.some((u) => /mobilenet_v2\/model\.json/.test(u)));
  // No WASM build is precached: the browser runs one of the three and fetches that one alone.
  assert.deepEqual(
    cached.precached.filter((u) => u.endsWith('.wasm')),
    [],
  );
  // The app has read where reports go while online (the offline reload gets the cached answer).
  await page.locator('engine-badge summary').waitFor({ timeout: 60_000 });
  // The engine's WASM build, fetched once it ran, is kept for offline use, and it is the only one.
  // The service worker stores it as the response goes by: poll the cache (one page round trip each) until then.
  const cachedWasm = () =>
    page.evaluate(async () => (await (await caches.open('obscura-wasm-v1')).keys()).map((r) => r.url));
  let urls = await cachedWasm();
  for (const end = Date.now() + 60_000; urls.length === 0 && Date.now() < end;) urls = await cachedWasm();
  assert.equal(urls.length, 1, urls.join(', '));
  assert.match(urls[0]!, /\/assets\/tfjs-backend-wasm(-simd|-threaded-simd)?-[\w-]+\.wasm$/);
  // The model is not precached (that would fetch it twice): the engine keeps the files it fetched.
  assert.deepEqual(
    cached.precached.filter((u) => /\/models\//.test(u)),
    [],
  );
  const cachedModel = () =>
    page.evaluate(async () => (await (await caches.open('obscura-model-v1')).keys()).map((r) => r.url));
  const modelFiles = [/block_12_add\/model\.json$/, /block_12_add\/group1-shard1of1\.bin$/];
  let model = await cachedModel();
  for (const end = Date.now() + 60_000; Date.now() < end && !modelFiles.every((f) => model.some((u) => f.test(u)));)
    model = await cachedModel();
  for (const file of modelFiles)
    assert.ok(
      model.some((u) => file.test(u)),
      `the model cache holds ${file}: ${model.join(', ')}`,
    );
});

test('offline: the reload works from the cache, a file is extracted and its release queues', async () => {
  await context.setOffline(true);
  await page.reload();
  await page.locator('engine-badge summary').waitFor({ timeout: 60_000 });
  assert.equal(await page.evaluate(() => navigator.onLine), false);
  await page.locator('#pick-images').setInputFiles(`${SKIMAGE_DIR}/chelsea.png`);
  await page.locator('result-card').first().waitFor({ timeout: 60_000 });
  await page.getByTestId('release').first().click();
  await rows().first().waitFor({ timeout: 30_000 });
  await page
    .getByTestId('state')
    .first()
    .filter({ hasText: /queued|retrying/ })
    .waitFor({ timeout: 30_000 });
  assert.equal(await collector.store.count(), 0);
});

test('back online, the queued report reaches the collector once', async () => {
  await context.setOffline(false);
  const state = page.getByTestId('state').first();
  await state.filter({ hasText: /delivered|rejected/ }).waitFor({ timeout: 60_000 });
  assert.match(await state.innerText(), /delivered/, await rows().first().innerText());
  await waitForStored(1);
  assert.equal(await rows().count(), 1);
});

test('a new build is served: the update prompt shows; accepting it reloads into it, the ledger intact', async () => {
  const port = app.port;
  await app.close();
  app = await startStaticServer({ root: nextBuild, collectorUrl: collector.url, port });
  await page.reload();
  const prompt = page.getByTestId('update-prompt');
  await prompt.waitFor({ timeout: 60_000 });
  assert.match(await prompt.innerText(), /A new version is ready — reload/);
  // Until accepted, the running version stays: the shell is still the first build's.
  assert.equal(await page.locator('meta[name="obscura-build"]').count(), 0);
  await Promise.all([page.waitForEvent('load', { timeout: 60_000 }), page.getByTestId('update-reload').click()]);
  await page.locator('meta[name="obscura-build"]').waitFor({ state: 'attached', timeout: 30_000 });
  assert.equal(await page.locator('meta[name="obscura-build"]').getAttribute('content'), '2');
  await rows().first().waitFor({ timeout: 30_000 });
  assert.equal(await rows().count(), 1);
  assert.match(await page.getByTestId('state').first().innerText(), /delivered/);
  assert.equal(await collector.store.count(), 1);
});

test('with no page open, the Background Sync event sends what an offline page left queued, once', async () => {
  await context.setOffline(true);
  await page.locator('#pick-images').setInputFiles(`${SKIMAGE_DIR}/astronaut.png`);
  await page.locator('result-card').nth(0).waitFor({ timeout: 60_000 });
  await page.getByTestId('release').first().click();
  await page
    .getByTestId('state')
    .filter({ hasText: /queued|retrying/ })
    .first()
    .waitFor({ timeout: 30_000 });
  // The page and its release worker go; only the service worker is left to send.
  const blank = await context.newPage();
  await page.close();
  const cdp = await context.newCDPSession(blank);
  const registration = new Promise<string>((found) =>
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
      const ours = registrations.find((r) => r.scopeURL.startsWith(app.url) && !r.isDeleted);
      if (ours) found(ours.registrationId);
    }),
  );
  await cdp.send('ServiceWorker.enable');
  const registrationId = await registration;
  // Chromium may fire the sync itself as soon as it sees the network again; the event dispatched
  // below stands in for it where it has not. Either way only the service worker is left to send
  // (the app's page is closed), and it sends once.
  await context.setOffline(false);
  await cdp.send('ServiceWorker.dispatchSyncEvent', {
    origin: new URL(app.url).origin,
    registrationId,
    tag: 'obscura-outbox',
    lastChance: false,
  });
  await waitForStored(2);
  // The ledger says so to the next page, and nothing was sent twice.
  await blank.goto(app.url);
  await blank.getByTestId('ledger-row').nth(1).waitFor({ timeout: 30_000 });
  assert.equal(await blank.getByTestId('ledger-row').count(), 2);
  for (const state of await blank.getByTestId('state').allInnerTexts()) assert.match(state, /delivered/);
  assert.equal(await collector.store.count(), 2);
});
