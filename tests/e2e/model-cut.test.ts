// The model cut at the default layer: the same vectors as the full model at that layer
// (real photographs, WASM backend, in Node on the CLI's path and in headless Chromium on
// a production build), a fraction of the bytes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launchChromium } from './support/browser';
import { serveFixtures } from './support/fixtures';
import { sharedPageBuild } from './support/production-build';
import { startStaticServer } from '../../scripts/static-server';
import type { api as threadsApi } from './pages/threads-page';
import { NodeExtractor, NODE_MODEL_ROOT } from '../../src/engine/node/node-extractor';
import { decodeImageFile } from '../../src/engine/node/decode-file';
import { MOBILENET_V2, ModelRegistry } from '../../src/engine/model/registry';
import { modelFilesFor } from '../../src/engine/model/model-files';
import { SKIMAGE_DIR, PHOTOS } from '../support/data-paths';
import { kb, modelBytes } from '../support/served-bytes';

const CUT_LAYER = MOBILENET_V2.defaultLayer;
/** The same model with no cut registered: every layer comes from the full network. */
const FULL_ONLY = new ModelRegistry([{ ...MOBILENET_V2, cuts: [] }]);

let cut: NodeExtractor;
let full: NodeExtractor;

before(async () => {
  cut = await NodeExtractor.create({ backend: 'wasm' });
  full = await NodeExtractor.create({ backend: 'wasm', registry: FULL_ONLY });
});
after(() => {
  cut?.dispose();
  full?.dispose();
});

test('the default layer is served by its cut, other layers by the full model', () => {
  const cut = MOBILENET_V2.cuts![0]!;
  assert.deepEqual(modelFilesFor(MOBILENET_V2, CUT_LAYER), { url: cut.url, cut: true, weights: cut.weights });
  assert.deepEqual(modelFilesFor(MOBILENET_V2, 'out_relu'), { url: MOBILENET_V2.url, cut: false });
});

test(`the cut model's vectors equal the full model's at ${CUT_LAYER} on real photographs`, async () => {
  assert.deepEqual(cut.model, { id: 'mobilenet_v2', layer: CUT_LAYER, dims: 96 });
  assert.deepEqual(full.model, cut.model);
  const images = await Promise.all(PHOTOS.map((p) => decodeImageFile(join(SKIMAGE_DIR, p), cut.config)));
  const fromCut = await cut.extract(images);
  const fromFull = await full.extract(images);
  let worst = 0;
  for (let i = 0; i < images.length; i++) {
    assert.equal(fromCut[i]!.length, 96);
    assert.ok(
      fromCut[i]!.some((x) => x !== 0),
      `${PHOTOS[i]}: features are not all zero`,
    );
    for (let j = 0; j < 96; j++) worst = Math.max(worst, Math.abs(fromCut[i]![j]! - fromFull[i]![j]!));
  }
  // The same weights and the same kernels in the same order: the vectors are bit-identical.
  assert.equal(worst, 0, `largest difference between cut and full vectors: ${worst}`);
  // Different photographs give different vectors, so equality above is not vacuous.
  assert.notDeepEqual(Array.from(fromCut[0]!), Array.from(fromCut[1]!));
});

test('layers past the cut (and before it) still work, from the full model', async () => {
  const photo = await decodeImageFile(join(SKIMAGE_DIR, 'chelsea.png'), cut.config);
  for (const [layer, dims] of [
    ['out_relu', 1280],
    ['block_9_add', 64],
  ] as const) {
    const beyond = await NodeExtractor.create({ backend: 'wasm', layer });
    try {
      assert.deepEqual(beyond.model, { id: 'mobilenet_v2', layer, dims });
      const [v] = await beyond.extract([photo]);
      assert.equal(v!.length, dims);
      assert.ok(v!.every(Number.isFinite) && v!.some((x) => x !== 0));
    } finally {
      beyond.dispose();
    }
  }
});

test('the cut serves a fraction of the bytes (stated raw and gzip)', async (t) => {
  const cutBytes = await modelBytes(join(NODE_MODEL_ROOT, MOBILENET_V2.cuts![0]!.url));
  const fullBytes = await modelBytes(join(NODE_MODEL_ROOT, MOBILENET_V2.url));
  const line = (name: string, b: { raw: number; gzip: number }) => `${name}: ${kb(b.raw)} raw, ${kb(b.gzip)} gzip`;
  t.diagnostic(line(`cut at ${CUT_LAYER} (model.json + weights)`, cutBytes));
  t.diagnostic(line('full model (model.json + weights)', fullBytes));
  t.diagnostic(`the cut is ${(fullBytes.gzip / cutBytes.gzip).toFixed(2)}x lighter over gzip`);
  console.log(`model bytes: ${line('cut', cutBytes)}; ${line('full', fullBytes)}`);
  // 0.56 MB of the 2.62 MB of weights lie below block_12_add.
  assert.ok(cutBytes.raw < 0.3 * fullBytes.raw, `cut ${cutBytes.raw} B vs full ${fullBytes.raw} B`);
  assert.ok(cutBytes.gzip < 0.3 * fullBytes.gzip, `cut ${cutBytes.gzip} B vs full ${fullBytes.gzip} B gzip`);
});

test('production build in Chromium: the worker fetches only the cut; same vectors as the full model', async () => {
  const { dir: outDir, remove: removeBuild } = await sharedPageBuild(['tests/e2e/pages/threads.html']);
  const server = await startStaticServer({ root: outDir, collectorUrl: 'http://127.0.0.1:9' });
  const browser = await launchChromium();
  try {
    const photos = ['skimage/chelsea.png', 'skimage/astronaut.png', 'skimage/coffee.png'];
    const runWith = async (model: 'cut' | 'full') => {
      const context = await browser.newContext();
      const fetched: string[] = [];
      context.on('request', (r) => fetched.push(new URL(r.url()).pathname));
      const page = await context.newPage();
      await serveFixtures(page, outDir);
      await page.goto(`${server.url}/tests/e2e/pages/threads.html`);
      await page.waitForFunction(() => document.documentElement.dataset['ready'] === 'true');
      const r = await page.evaluate(
        ([m, p]) => (window as unknown as { threads: typeof threadsApi }).threads.run(1, p, 1, m),
        [model, photos] as const,
      );
      await context.close();
      return { vectors: r.vectors, models: fetched.filter((p) => p.startsWith('/models/')) };
    };
    const cutRun = await runWith('cut');
    const fullRun = await runWith('full');
    const cutDir = `/${dirnameOf(MOBILENET_V2.cuts![0]!.url)}`;
    const fullDir = `/${dirnameOf(MOBILENET_V2.url)}`;
    assert.deepEqual(cutRun.models.sort(), [`${cutDir}/group1-shard1of1.bin`, `${cutDir}/model.json`]);
    assert.deepEqual(fullRun.models.sort(), [`${fullDir}/group1-shard1of1.bin`, `${fullDir}/model.json`]);
    assert.equal(cutRun.vectors.length, photos.length);
    assert.ok(cutRun.vectors.every((v) => v.length === 96 && v.some((x) => x !== 0)));
    assert.deepEqual(cutRun.vectors, fullRun.vectors, 'the cut and the full model give identical vectors');
  } finally {
    await browser.close();
    await server.close();
    await removeBuild();
  }
});

function dirnameOf(url: string): string {
  return url.slice(0, url.lastIndexOf('/'));
}
