// The decoder thread hands the engine its network input already normalised: the network must see the
// same numbers as from the pixels, so the vectors are the same bit for bit.
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
import { writeNetworkInput } from '../../../src/engine/pixels-to-input';

const publicDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'public');

test('a normalised input gives the vector its pixels give, alone and in a batch; a wrong size is refused', async () => {
  const require = createRequire(import.meta.url);
  setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
  assert.equal(await tf.setBackend('wasm'), true);
  const cut = MOBILENET_V2.cuts![0]!;
  const extractor = new FeatureExtractor(
    MOBILENET_V2,
    await loadFeatureNetwork(MOBILENET_V2, fileIOHandler(join(publicDir, cut.url)), cut.layer),
  );
  try {
    const [h, w] = MOBILENET_V2.inputSize;
    const images = [3, 11].map((k) => ({
      data: new Uint8Array(h * w * 4).map((_, i) => (i * k + (i >> 9)) % 256),
      width: w,
      height: h,
      channels: 4 as const,
    }));
    const normalised = images.map((im) => {
      const out = new Float32Array(h * w * 3);
      writeNetworkInput(im, MOBILENET_V2, out, 0);
      return { normalised: out };
    });
    const held = tf.memory().numTensors;
    const fromPixels = await extractor.extractPixels(images);
    assert.notDeepEqual(fromPixels[0], fromPixels[1], 'two different images');
    for (let i = 0; i < images.length; i++)
      assert.deepEqual(await extractor.extractNormalised([normalised[i]!]), [fromPixels[i]]);
    assert.deepEqual(await extractor.extractNormalised(normalised), fromPixels);
    await assert.rejects(extractor.extractNormalised([{ normalised: new Float32Array(h * w * 4) }]), RangeError);
    assert.equal(tf.memory().numTensors, held, 'no tensor left behind');
  } finally {
    extractor.dispose();
  }
});
