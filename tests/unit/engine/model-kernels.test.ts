// The engine registers only the default model's kernels on WASM (src/engine/backends/model-kernels.ts).
// Here the model runs on tfjs-wasm in Node, cut and full, through every preprocessing path, and each
// kernel it calls must be in that list, which must match the WASM kernels the engine imports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../../src/engine/node/node-backend';
import { fileIOHandler } from '../../../src/engine/node/file-io-handler';
import { loadFeatureNetwork } from '../../../src/engine/model/load-model';
import { FeatureExtractor } from '../../../src/engine/feature-extractor';
import { MOBILENET_V2 } from '../../../src/engine/model/registry';
import { MODEL_KERNELS } from '../../../src/engine/backends/model-kernels';
import { WASM_MODEL_KERNELS } from '../../../src/engine/backends/wasm-kernels';

const publicDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'public');

/** Kernels run while loading the model at `layer` and extracting images of each shape the engine meets. */
async function kernelsOf(modelJson: string, layer: string, resize: 'squash' | 'center-crop'): Promise<string[]> {
  const config = { ...MOBILENET_V2, resize };
  const image = (width: number, height: number, channels: 3 | 4) => ({
    data: new Uint8Array(width * height * channels).fill(100),
    width,
    height,
    channels,
  });
  const profile = await tf.profile(async () => {
    const extractor = new FeatureExtractor(config, await loadFeatureNetwork(config, fileIOHandler(modelJson), layer));
    try {
      // Input-sized pixels (the decoders' usual output), other sizes (tfjs resizes), RGB and RGBA, a batch.
      await extractor.extractPixels([image(224, 224, 4)]);
      await extractor.extractPixels([image(300, 200, 4), image(300, 200, 4)]);
      await extractor.extractPixels([image(200, 300, 3)]);
      await extractor.extract([tf.zeros([120, 160, 3]) as tf.Tensor3D]);
    } finally {
      extractor.dispose();
    }
  });
  return profile.kernelNames;
}

test('every kernel the default model and its preprocessing run is in the list the engine registers', async () => {
  await initNodeBackend('wasm');
  const seen = new Set<string>();
  const cut = MOBILENET_V2.cuts![0]!;
  for (const resize of ['squash', 'center-crop'] as const) {
    for (const k of await kernelsOf(join(publicDir, cut.url), cut.layer, resize)) seen.add(k);
    // The deepest candidate layer runs every kind of op the shallower ones do.
    for (const k of await kernelsOf(join(publicDir, MOBILENET_V2.url), 'out_relu', resize)) seen.add(k);
  }
  // The profiler also names the ops that wrap kernels (`fusedConv2d__op`): only registered kernels count.
  const kernels = [...seen].filter((k) => tf.getKernel(k, 'wasm') !== undefined).sort();
  assert.ok(kernels.includes('FusedConv2D'), kernels.join(', '));
  const missing = kernels.filter((k) => !(MODEL_KERNELS as readonly string[]).includes(k));
  assert.deepEqual(missing, [], `kernels run but not registered by the engine: ${missing.join(', ')}`);
});

test('the engine imports the WASM kernel of each listed kernel, and no other', () => {
  const imported = Object.entries(WASM_MODEL_KERNELS).map(([name, config]) => {
    assert.equal(config.kernelName, name);
    assert.equal(config.backendName, 'wasm');
    return name;
  });
  assert.deepEqual(imported.sort(), [...MODEL_KERNELS].sort());
});
