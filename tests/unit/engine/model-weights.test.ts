// Weights read straight from a model's weight data (src/engine/model/model-weights.ts) are the values tfjs's own
// decoder gives, bit for bit, for the default cut's uint8-quantized weights and for float32 ones; a weight in a
// form not read there makes the whole read undefined (the model then goes to tfjs-layers), unless it is not wanted.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { modelWeights } from '../../../src/engine/model/model-weights';
import { MOBILENET_V2 } from '../../../src/engine/model/registry';
import { fileIOHandler } from '../../../src/engine/node/file-io-handler';
import { NODE_MODEL_ROOT } from '../../../src/engine/node/node-extractor';

before(async () => assert.ok(await tf.setBackend('cpu')));

test("the default cut's weights read as tfjs decodes them, bit for bit", async () => {
  const artifacts = await fileIOHandler(join(NODE_MODEL_ROOT, MOBILENET_V2.cuts![0]!.url)).load!();
  const weights = modelWeights(artifacts, () => true);
  assert.ok(weights);
  const decoded = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
  assert.deepEqual([...weights.keys()], Object.keys(decoded));
  for (const [name, weight] of weights) {
    assert.deepEqual(weight.shape, decoded[name]!.shape, name);
    assert.deepEqual(weight.values, decoded[name]!.dataSync(), name);
  }
  tf.dispose(Object.values(decoded));
});

test('float32 weights are read as stored; other forms only when not wanted', () => {
  const floats = new Float32Array([1.5, -2.25, 3]);
  const halves = new Uint16Array([0x3c00, 0x4000]);
  const weightData = new Uint8Array([...new Uint8Array(floats.buffer), ...new Uint8Array(halves.buffer)]).buffer;
  const weightSpecs: tf.io.WeightsManifestEntry[] = [
    { name: 'a/kernel', shape: [3], dtype: 'float32' },
    { name: 'b/kernel', shape: [2], dtype: 'float32', quantization: { dtype: 'float16' } },
  ];
  const read = modelWeights({ weightData, weightSpecs }, (name) => name.startsWith('a/'));
  assert.deepEqual(read?.get('a/kernel')?.values, floats);
  assert.equal(read?.has('b/kernel'), false);
  assert.equal(
    modelWeights({ weightData, weightSpecs }, () => true),
    undefined,
  );
  assert.equal(
    modelWeights({ weightData: weightData.slice(0, 8), weightSpecs }, () => false),
    undefined,
    'data shorter than the manifest',
  );
});
