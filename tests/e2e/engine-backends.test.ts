// Real CNN features in a real browser worker, on every backend this machine has.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startEnginePageServer } from './support/engine-page-server';
import { makeGeneratedFixtures } from './support/fixtures';
import { cosine, openEnginePage } from './support/engine-page';
import type { PageWindow } from './support/page-api';
import type { Outcome, PlainExtraction } from './pages/engine-page';
import { MOBILENET_V2 } from '../../src/engine/model/registry';

/** Channels of the default feature layer (block_12_add). */
const DEFAULT_DIMS = 96;

const PHOTOS = ['skimage/chelsea.png', 'skimage/astronaut.png', 'skimage/rocket.jpg'];
let server: Awaited<ReturnType<typeof startEnginePageServer>>;
let browser: Browser;
let page: Page;
let fixtures: string;
const byBackend: Record<string, PlainExtraction[]> = {};

before(async () => {
  fixtures = await makeGeneratedFixtures();
  server = await startEnginePageServer();
  browser = await launchChromium({ webgpu: true });
  page = await openEnginePage(browser, server.url, fixtures);
});
after(async () => {
  await browser?.close();
  await server?.close();
});

function values(outcomes: Outcome[]): PlainExtraction[] {
  return outcomes.map((o) => {
    if (!o.ok) throw new Error(`${o.error.name}: ${o.error.message}`);
    return o.value;
  });
}

async function extractOn(backend: string, paths: string[]): Promise<PlainExtraction[]> {
  const status = await page.evaluate(
    (b) => (window as unknown as PageWindow).obscura.start({ backend: b as 'wasm' }),
    backend,
  );
  assert.equal(status.backend, backend);
  assert.deepEqual(status.model, { id: 'mobilenet_v2', layer: MOBILENET_V2.defaultLayer, dims: DEFAULT_DIMS });
  return values(await page.evaluate((p) => (window as unknown as PageWindow).obscura.extractFixtures(p), paths));
}

for (const backend of ['wasm', 'webgl', 'cpu']) {
  test(`${backend}: real photographs give feature vectors, the same image twice gives an identical one`, async () => {
    const results = await extractOn(backend, [...PHOTOS, PHOTOS[0]!]);
    for (const r of results) {
      assert.equal(r.vector.length, DEFAULT_DIMS);
      assert.ok(r.vector.every(Number.isFinite));
      assert.ok(
        r.vector.some((x) => x !== 0),
        'features are not all zero',
      );
    }
    assert.deepEqual(results[3]!.vector, results[0]!.vector);
    assert.equal(results[3]!.contentHash, results[0]!.contentHash);
    assert.notEqual(results[1]!.contentHash, results[0]!.contentHash);
    // Different photographs are told apart.
    assert.ok(cosine(results[0]!.vector, results[1]!.vector) < 0.95);
    byBackend[backend] = results.slice(0, 3);
  });
}

test('webgpu (software adapter here): same features as the other backends', async () => {
  const status = await page.evaluate(() =>
    (window as unknown as PageWindow).obscura.start({ backend: 'auto', calibrate: 'never' }),
  );
  const webgpu = status.probes.find((p) => p.name === 'webgpu')!;
  assert.ok(webgpu.available, `this test launches Chromium with --enable-unsafe-webgpu: ${webgpu.detail}`);
  byBackend['webgpu'] = await extractOn('webgpu', [PHOTOS[0]!]);
});

test('every backend agrees with WASM to cosine >= 0.999 on the same photographs', () => {
  const reference = byBackend['wasm'];
  assert.ok(reference, 'the wasm test ran first');
  const backends = Object.keys(byBackend).filter((b) => b !== 'wasm');
  assert.ok(backends.length >= 3, `compared ${backends.join(', ')}`);
  for (const b of backends) {
    byBackend[b]!.forEach((r, i) => {
      const c = cosine(r.vector, reference[i]!.vector);
      assert.ok(c >= 0.999, `${b} vs wasm on ${PHOTOS[i]}: cosine ${c}`);
      assert.equal(r.contentHash, reference[i]!.contentHash, 'decoded pixels are the same on every backend');
    });
  }
});

test('auto chooses the fastest backend measured, says why for every other one, and caches the choice', async () => {
  const measured = await page.evaluate(() =>
    (window as unknown as PageWindow).obscura.start({ backend: 'auto', calibrate: 'always' }),
  );
  const timings = measured.timings as Record<string, number>;
  const timed = Object.keys(timings);
  assert.ok(
    timed.includes('wasm') && timed.includes('webgl') && timed.includes('cpu') && timed.includes('webgpu'),
    `timed: ${timed.join(', ')}`,
  );
  const fastest = timed.reduce((a, b) => (timings[b]! < timings[a]! ? b : a));
  assert.equal(measured.backend, fastest, JSON.stringify(timings));
  for (const name of ['webgpu', 'webgl', 'wasm', 'cpu'] as const)
    assert.ok(measured.reasons[name].length > 0, `reason for ${name}`);

  // Plain `auto` skips software GPU emulation without timing it, and lands on the same backend.
  const plainAuto = await page.evaluate(() =>
    (window as unknown as PageWindow).obscura.start({ backend: 'auto', useCachedChoice: false }),
  );
  assert.equal(plainAuto.backend, fastest);
  assert.match(plainAuto.reasons.webgl, /software|slower|skipped/);

  // A later start reuses the calibrated choice from IndexedDB instead of timing again.
  const cached = await page.evaluate(() =>
    (window as unknown as PageWindow).obscura.start({ backend: 'auto', calibrate: 'auto' }),
  );
  assert.equal(cached.choiceFromCache, true);
  assert.equal(cached.backend, fastest);
  assert.match(cached.reasons[fastest as 'wasm'], /cached/);
});

test('a backend that breaks while running falls back to the next one instead of failing', async () => {
  const status = await page.evaluate(() => (window as unknown as PageWindow).obscura.start({ backend: 'webgl' }));
  assert.equal(status.backend, 'webgl');
  const after = await page.evaluate(async () => {
    const o = (window as unknown as PageWindow).obscura;
    // The test entry of the engine worker carries the hook; the production entry has none.
    const engine = await o.engineTest();
    await engine.breakBackend();
    const [result] = await o.extractFixtures(['skimage/chelsea.png']);
    return { result, status: await engine.status() };
  });
  assert.ok(after.result!.ok, JSON.stringify(after.result));
  assert.equal(after.status!.backend, 'wasm');
  assert.match(after.status!.reasons.webgl, /fell back to wasm/);
  if (after.result!.ok) assert.ok(cosine(after.result!.value.vector, byBackend['wasm']![0]!.vector) > 0.999);
});
