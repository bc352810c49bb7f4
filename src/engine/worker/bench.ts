import * as tf from '@tensorflow/tfjs';
import { preprocessImage } from '../preprocess';
import type { BackendSession } from './backend-session';
import type { BenchOptions, BenchResult } from './engine-api';
import { pixelBytes } from './pixels';

/**
 * Pipeline vs bare network, interleaved in one run so machine noise hits both alike.
 * The pipeline starts from RGBA pixels (as extraction does after decoding); the bare
 * run feeds the network a ready, normalised tensor.
 */
export async function runBench(session: BackendSession, pixels: ImageData, options: BenchOptions): Promise<BenchResult> {
  const batch = Array.from({ length: options.batch }, () => pixels);
  const config = session.extractor.config;
  const ready = tf.tidy(() => {
    const one = preprocessImage(tf.tensor3d(pixelBytes(pixels), [pixels.height, pixels.width, 4], 'int32'), config);
    return tf.stack(batch.map(() => one)) as tf.Tensor4D;
  });
  let pipeline = 0;
  let bare = 0;
  try {
    await session.extract(batch);
    await session.extractor.predictBare(ready);
    for (let i = 0; i < options.iterations; i++) {
      let t = performance.now();
      await session.extract(batch);
      pipeline += performance.now() - t;
      t = performance.now();
      await session.extractor.predictBare(ready);
      bare += performance.now() - t;
    }
  } finally {
    ready.dispose();
  }
  const images = options.iterations * options.batch;
  return { backend: session.backend, batch: options.batch, pipelineMsPerImage: pipeline / images, bareMsPerImage: bare / images };
}
