// The engine's WASM backend with only the kernels the engine registers (no `@tensorflow/tfjs`, which
// would register all of them): the default model, cut and full, loads and gives finite features.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm/dist/base';
import '../../../src/engine/backends/backend-modules';
import { fileIOHandler } from '../../../src/engine/node/file-io-handler';
import { loadFeatureNetwork } from '../../../src/engine/model/load-model';
import { FeatureExtractor } from '../../../src/engine/feature-extractor';
import { MOBILENET_V2 } from '../../../src/engine/model/registry';

const publicDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'public');

test('the default model runs on WASM with the engine’s kernels alone', async () => {
  const require = createRequire(import.meta.url);
  setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
  assert.equal(await tf.setBackend('wasm'), true);
  assert.equal(tf.getKernel('Abs', 'wasm'), undefined, 'only the listed kernels are registered');
  const cut = MOBILENET_V2.cuts![0]!;
  for (const [file, layer] of [
    [cut.url, cut.layer],
    [MOBILENET_V2.url, 'out_relu'],
  ] as const) {
    for (const resize of ['squash', 'center-crop'] as const) {
      const config = { ...MOBILENET_V2, resize };
      const extractor = new FeatureExtractor(
        config,
        await loadFeatureNetwork(config, fileIOHandler(join(publicDir, file)), layer),
      );
      const pixels = new Uint8Array(300 * 200 * 4).map((_, i) => (i * 7) % 256);
      const [a, b] = await extractor.extractPixels([
        { data: pixels, width: 300, height: 200, channels: 4 },
        { data: new Uint8Array(224 * 224 * 4).fill(90), width: 224, height: 224, channels: 4 },
      ]);
      extractor.dispose();
      for (const v of [a!, b!]) {
        assert.ok(v.length > 0 && v.every(Number.isFinite), `${layer} ${resize}`);
        assert.ok(
          v.some((x) => x !== 0),
          `${layer} ${resize}`,
        );
      }
    }
  }
});
