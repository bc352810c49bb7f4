// The folded forward pass (src/engine/model/fold-batch-norm.ts), built from the served model files, against
// tfjs-layers' own on the same files, on tfjs-wasm in Node: the default model's cut and the full network at its
// deepest candidate layer give the same features to float32 rounding, the feature network runs no normalisation
// kernel, and a model with a layer the folding does not reproduce is left to tfjs-layers.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { loadLayersModel, model as layersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { initNodeBackend } from '../../../src/engine/node/node-backend';
import { fileIOHandler } from '../../../src/engine/node/file-io-handler';
import { foldBatchNorm, planFoldedNetwork } from '../../../src/engine/model/fold-batch-norm';
import { loadFeatureNetwork } from '../../../src/engine/model/load-model';
import { MOBILENET_V2 } from '../../../src/engine/model/registry';

const publicDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'public');
const cut = MOBILENET_V2.cuts![0]!;

before(() => initNodeBackend('wasm'));

/** Two fixed images (a gradient and its mirror), normalised as the engine feeds the network. */
function batch(): tf.Tensor4D {
  return tf.tidy(() => {
    const ramp = tf.linspace(0, 1, 224 * 224 * 3).reshape([224, 224, 3]);
    return tf.stack([ramp, tf.reverse(ramp, 1)]) as tf.Tensor4D;
  });
}

/** The largest difference between the folded and the layer-by-layer output, over the largest output. */
async function relativeError(modelJson: string, layer: string): Promise<number> {
  const artifacts = await fileIOHandler(modelJson).load!();
  const model = await loadLayersModel({ load: async () => artifacts });
  const cutModel = layersModel({ inputs: model.inputs, outputs: model.getLayer(layer).output as SymbolicTensor });
  const folded = foldBatchNorm(artifacts, layer);
  assert.ok(folded, `the model cut at ${layer} folds`);
  assert.equal(folded.dims, cutModel.outputs[0]!.shape.at(-1));
  const x = batch();
  try {
    const [expected, actual] = [
      tf.tidy(() => cutModel.predict(x) as tf.Tensor).dataSync(),
      tf.tidy(() => folded.run(x)).dataSync(),
    ];
    assert.equal(actual.length, expected.length);
    let [diff, scale] = [0, 0];
    expected.forEach((e, i) => {
      diff = Math.max(diff, Math.abs(e - actual[i]!));
      scale = Math.max(scale, Math.abs(e));
    });
    assert.ok(scale > 0, 'the output is not all zeros');
    return diff / scale;
  } finally {
    x.dispose();
    folded.dispose();
    model.dispose();
  }
}

test('folded, the cut gives the features tfjs-layers gives, to float32 rounding', async (t) => {
  const error = await relativeError(join(publicDir, cut.url), cut.layer);
  t.diagnostic(`relative error ${error.toExponential(2)}`);
  // Observed 2e-6 here and 8e-6 at out_relu: float32 rounding of the same sums in another order; a wrong fold
  // is off by the size of the features.
  assert.ok(error < 1e-4, `relative error ${error}`);
});

test('folded, the full network at out_relu (a ReLU after a normalisation) gives the same features too', async (t) => {
  const error = await relativeError(join(publicDir, MOBILENET_V2.url), 'out_relu');
  t.diagnostic(`relative error ${error.toExponential(2)}`);
  assert.ok(error < 1e-4, `relative error ${error}`);
});

test('the feature network runs no normalisation kernel, and frees what it folded', async () => {
  const tensors = tf.memory().numTensors;
  const network = await loadFeatureNetwork(MOBILENET_V2, fileIOHandler(join(publicDir, cut.url)), cut.layer);
  const x = batch();
  const { kernelNames } = await tf.profile(() => tf.tidy(() => network.run(x)).dispose());
  x.dispose();
  network.dispose();
  assert.ok(kernelNames.includes('FusedDepthwiseConv2D'), kernelNames.join(', '));
  assert.ok(!kernelNames.includes('FusedBatchNorm'), kernelNames.join(', '));
  assert.equal(tf.memory().numTensors, tensors);
});

test('weights are read and folded once for the same files; each build makes and frees its own tensors', async () => {
  const artifacts = await fileIOHandler(join(publicDir, cut.url)).load!();
  const plan = planFoldedNetwork(artifacts, cut.layer);
  assert.ok(plan);
  assert.equal(planFoldedNetwork(artifacts, cut.layer), plan, 'the engine plans while the backend starts, once');
  const tensors = tf.memory().numTensors;
  const [first, second] = [foldBatchNorm(artifacts, cut.layer)!, foldBatchNorm(artifacts, cut.layer)!];
  const x = batch();
  const values = (network: typeof first) => {
    const out = tf.tidy(() => network.run(x));
    const data = out.dataSync();
    out.dispose();
    network.dispose();
    return data;
  };
  const a = values(first);
  const b = values(second);
  x.dispose();
  assert.deepEqual(b, a);
  assert.equal(tf.memory().numTensors, tensors);
});

test('a model with a layer the folding does not reproduce is left to tfjs-layers', async () => {
  // The full model ends in its classifier (pooling, dense layers, dropout).
  const artifacts = await fileIOHandler(join(publicDir, MOBILENET_V2.url)).load!();
  const topology = artifacts.modelTopology as { model_config: { config: { output_layers: [string][] } } };
  const [[output]] = topology.model_config.config.output_layers as [[string]];
  const tensors = tf.memory().numTensors;
  assert.equal(foldBatchNorm(artifacts, output), undefined);
  assert.equal(foldBatchNorm(artifacts, 'no_such_layer'), undefined);
  assert.equal(tf.memory().numTensors, tensors, 'nothing folded is left behind');
  // tfjs-layers runs it then, to the same layer.
  const network = await loadFeatureNetwork(MOBILENET_V2, fileIOHandler(join(publicDir, MOBILENET_V2.url)), output);
  try {
    const x = batch();
    const { kernelNames } = await tf.profile(() => tf.tidy(() => network.run(x)).dispose());
    x.dispose();
    assert.ok(kernelNames.includes('FusedBatchNorm'), kernelNames.join(', '));
  } finally {
    network.dispose();
  }
});
