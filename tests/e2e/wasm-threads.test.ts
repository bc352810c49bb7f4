// tfjs-wasm's threaded build in the production bundle: forced to 2 threads on a
// cross-origin isolated page it gives the single-thread vectors; a page that is not
// isolated gets the single-thread SIMD build.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { serveFixtures } from './support/fixtures';
import { sharedPageBuild, startPlainServer } from './support/production-build';
import { startStaticServer, type StaticServer } from '../../scripts/static-server';
import type { api, ThreadsRun } from './pages/threads-page';
import { wasmThreadCount } from '../../src/engine/backends/wasm-thread-count';

const PHOTOS = ['skimage/chelsea.png', 'skimage/astronaut.png', 'skimage/rocket.jpg'];
let outDir: string;
let removeBuild: (() => Promise<void>) | undefined;
let isolated: StaticServer;
let plain: Awaited<ReturnType<typeof startPlainServer>>;
let browser: Browser;

before(async () => {
  ({ dir: outDir, remove: removeBuild } = await sharedPageBuild(['tests/e2e/pages/threads.html']));
  // Served as `npm start` serves the app: COOP/COEP and the app's Content-Security-Policy.
  isolated = await startStaticServer({ root: outDir, collectorUrl: 'http://127.0.0.1:9' });
  plain = await startPlainServer(outDir);
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await isolated?.close();
  await plain?.close();
  await removeBuild?.();
});

async function openPage(baseUrl: string): Promise<{ page: Page; fetched: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const fetched: string[] = [];
  context.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  await serveFixtures(page, outDir);
  await page.goto(`${baseUrl}/tests/e2e/pages/threads.html`);
  await page.waitForFunction(() => document.documentElement.dataset['ready'] === 'true', null, { timeout: 60_000 });
  assert.deepEqual(errors, []);
  return { page, fetched };
}

function run(page: Page, threads: number | undefined): Promise<ThreadsRun> {
  return page.evaluate(
    ([n, photos]) => (window as unknown as { threads: typeof api }).threads.run(n ?? undefined, photos),
    [threads ?? null, PHOTOS] as const,
  );
}

function largestDifference(a: number[][], b: number[][]): number {
  let worst = 0;
  a.forEach((v, i) => v.forEach((x, j) => (worst = Math.max(worst, Math.abs(x - b[i]![j]!)))));
  return worst;
}

test('the pthread scripts ship as separate assets, byte for byte as the package has them', async () => {
  const assets = await readdir(join(outDir, 'assets'));
  const main = assets.find((f) => /^tfjs-backend-wasm-threaded-simd-[\w-]+\.js$/.test(f));
  const worker = assets.find((f) => /^tfjs-backend-wasm-threaded-simd\.worker-[\w-]+\.js$/.test(f));
  assert.ok(main && worker, `expected both pthread scripts among ${assets.join(', ')}`);
  const require = createRequire(import.meta.url);
  const wasmOut = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  assert.ok(
    (await readFile(join(outDir, 'assets', main))).equals(
      await readFile(join(wasmOut, 'tfjs-backend-wasm-threaded-simd.js')),
    ),
    'the emscripten script is not minified or bundled',
  );
});

test('isolated page, production build: 2 threads forced give the single-thread vectors', async (t) => {
  const { page, fetched } = await openPage(isolated.url);
  const two = await run(page, 2);
  const one = await run(page, 1);
  const auto = await run(page, undefined);
  await page.context().close();
  for (const r of [two, one, auto]) {
    assert.equal(r.isolated, true);
    assert.equal(r.workerIsolated, true);
    assert.equal(r.backend, 'wasm');
    assert.equal(r.vectors.length, PHOTOS.length);
    assert.ok(r.vectors.every((v) => v.length === 96 && v.some((x) => x !== 0)));
  }
  assert.equal(two.threads, 2, 'the backend reports 2 threads');
  assert.equal(one.threads, 1);
  // One pthread worker per thread, not emscripten's fixed 8; none at all where the cores are too few for threads.
  assert.equal(two.workersStarted, 2, 'pthread workers started for 2 threads');
  assert.equal(one.workersStarted, 0, 'a worker reporting 2 cores runs the single-thread build');
  const autoThreads = wasmThreadCount(auto.cores);
  assert.equal(auto.threads, autoThreads, `${auto.cores} cores: ${autoThreads} thread(s)`);
  assert.equal(auto.workersStarted, autoThreads === 1 ? 0 : autoThreads);
  const diff = largestDifference(two.vectors, one.vectors);
  t.diagnostic(`2 threads vs 1: largest vector difference ${diff}`);
  t.diagnostic(`first vector ${two.firstVectorMs.toFixed(0)} ms (2 threads), ${one.firstVectorMs.toFixed(0)} ms (1)`);
  assert.ok(diff <= 1e-5, `2-thread and 1-thread vectors differ by ${diff}`);
  assert.ok(largestDifference(auto.vectors, one.vectors) <= 1e-5);
  assert.notDeepEqual(two.vectors[0], two.vectors[1], 'different photographs give different vectors');
  // The threaded binary ran, and its pthread workers loaded the unbundled emscripten script.
  assert.ok(fetched.some((p) => /tfjs-backend-wasm-threaded-simd-[\w-]+\.wasm$/.test(p)));
  assert.ok(fetched.some((p) => /tfjs-backend-wasm-threaded-simd-[\w-]+\.js$/.test(p)));
});

test('a page that is not cross-origin isolated runs the single-thread SIMD build, same vectors', async () => {
  const { page: isoPage } = await openPage(isolated.url);
  const reference = await run(isoPage, 1);
  await isoPage.context().close();
  const { page, fetched } = await openPage(plain.url);
  const r = await run(page, undefined);
  await page.context().close();
  assert.equal(r.isolated, false);
  assert.equal(r.threads, 1);
  assert.ok(
    fetched.some((p) => /tfjs-backend-wasm-simd-[\w-]+\.wasm$/.test(p)),
    'the SIMD binary is fetched',
  );
  assert.ok(!fetched.some((p) => p.includes('threaded')), `no threaded file is fetched: ${fetched.join(', ')}`);
  assert.ok(largestDifference(r.vectors, reference.vectors) <= 1e-5);
});
