import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { writeNetworkInput, isInputSized } from '../../../src/engine/pixels-to-input';
import { preprocessImage } from '../../../src/engine/preprocess';
import { MOBILENET_V2 } from '../../../src/engine/model/registry';
import type { ModelConfig } from '../../../src/engine/model/model-config';

function randomPixels(n: number): Uint8Array {
  const data = new Uint8Array(n);
  for (let i = 0; i < n; i++) data[i] = (i * 2654435761) >>> 24;
  return data;
}

test('the one-pass normaliser equals the tfjs preprocessing, for RGB and RGBA and any normalisation', async () => {
  await tf.setBackend('cpu');
  const signed: ModelConfig = { ...MOBILENET_V2, normalization: { scale: 2 / 255, offset: -1 } };
  for (const config of [MOBILENET_V2, signed]) {
    for (const channels of [3, 4] as const) {
      const [h, w] = config.inputSize;
      const data = randomPixels(h * w * channels);
      const image = { data, width: w, height: h, channels };
      assert.ok(isInputSized(image, config));
      const out = new Float32Array(h * w * 3 + 5);
      writeNetworkInput(image, config, out, 5);
      const expected = tf.tidy(() => preprocessImage(tf.tensor3d(data, [h, w, channels], 'int32'), config).dataSync());
      let worst = 0;
      for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(out[5 + i]! - expected[i]!));
      assert.ok(worst < 1e-6, `largest difference ${worst}`);
      assert.deepEqual(Array.from(out.subarray(0, 5)), [0, 0, 0, 0, 0], 'writes only at its offset');
    }
  }
});

test('an image of another size is not taken by the fast path', () => {
  assert.equal(
    isInputSized({ data: new Uint8Array(4 * 10 * 10), width: 10, height: 10, channels: 4 }, MOBILENET_V2),
    false,
  );
});
