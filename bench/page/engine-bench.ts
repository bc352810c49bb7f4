import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '../../src/engine/backends/backend-choice';
import { preprocessImage } from '../../src/engine/preprocess';
import type { BackendSession } from '../../src/engine/worker/backend-session';

export interface BenchOptions {
  readonly batch: number;
  readonly iterations: number;
}

export interface BenchResult {
  readonly backend: BackendName;
  readonly batch: number;
  /** ms/image of the whole pipeline (pixels -> preprocess -> network -> pooled vector read back). */
  readonly pipelineMsPerImage: number;
  /** ms/image of the bare network on an already-normalised tensor, in the same run. */
  readonly bareMsPerImage: number;
  /** The same as means (the medians above leave out a shared machine's stalls; a throughput does not). */
  readonly pipelineMeanMsPerImage: number;
  readonly bareMeanMsPerImage: number;
}

/**
 * Pipeline vs bare network, interleaved in one run so machine noise hits both alike.
 * The pipeline starts from RGBA pixels (as extraction does after decoding); the bare
 * run feeds the network a ready, normalised tensor.
 */
export async function runBench(
  session: BackendSession,
  pixels: ImageData,
  options: BenchOptions,
): Promise<BenchResult> {
  const batch = Array.from({ length: options.batch }, () => pixels);
  const config = session.extractor.config;
  const ready = tf.tidy(() => {
    const one = preprocessImage(tf.tensor3d(pixelBytes(pixels), [pixels.height, pixels.width, 4], 'int32'), config);
    return tf.stack(batch.map(() => one)) as tf.Tensor4D;
  });
  const pipeline: number[] = [];
  const bare: number[] = [];
  const timePipeline = async () => {
    const t = performance.now();
    await session.extract(batch);
    pipeline.push(performance.now() - t);
  };
  const timeBare = async () => {
    const t = performance.now();
    await session.extractor.predictBare(ready);
    bare.push(performance.now() - t);
  };
  try {
    await session.extract(batch);
    await session.extractor.predictBare(ready);
    // Alternating which goes first cancels any cost one run leaves to the next (GC, caches).
    for (let i = 0; i < options.iterations; i++) {
      if (i % 2 === 0) {
        await timePipeline();
        await timeBare();
      } else {
        await timeBare();
        await timePipeline();
      }
    }
  } finally {
    ready.dispose();
  }
  // Medians: a shared machine's stalls hit single runs, not the typical one. Means: a rate over the
  // same span as a throughput measured elsewhere, stalls included.
  return {
    backend: session.backend,
    batch: options.batch,
    pipelineMsPerImage: median(pipeline) / options.batch,
    bareMsPerImage: median(bare) / options.batch,
    pipelineMeanMsPerImage: mean(pipeline) / options.batch,
    bareMeanMsPerImage: mean(bare) / options.batch,
  };
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The pixel bytes as the Uint8Array view tfjs accepts. */
function pixelBytes(pixels: ImageData): Uint8Array {
  return new Uint8Array(pixels.data.buffer, pixels.data.byteOffset, pixels.data.byteLength);
}
