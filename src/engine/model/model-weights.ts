import * as tf from '@tensorflow/tfjs-core';

/** One weight of a model, as float32 values in its shape. */
export interface Weight {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

const QUANTIZED_BYTES = { uint8: 1, uint16: 2 } as const;

/**
 * The weights named `wanted` of a model's files, read straight from the weight data as tfjs reads them
 * (a quantized value is `q · scale + min`, in float32), without making a tensor of each. Undefined when a
 * weight is stored in a form read here (float32, or float32 quantized to uint8 or uint16) and no other.
 */
export function modelWeights(
  artifacts: tf.io.ModelArtifacts,
  wanted: (name: string) => boolean,
): Map<string, Weight> | undefined {
  const { weightData, weightSpecs } = artifacts;
  if (!weightData || !weightSpecs) return undefined;
  const data = tf.io.CompositeArrayBuffer.join(weightData);
  const out = new Map<string, Weight>();
  let offset = 0;
  for (const spec of weightSpecs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const quantization = spec.quantization;
    if (spec.dtype !== 'float32') return undefined;
    if (quantization && quantization.dtype !== 'uint8' && quantization.dtype !== 'uint16') return undefined;
    const bytes = size * (quantization ? QUANTIZED_BYTES[quantization.dtype as 'uint8' | 'uint16'] : 4);
    if (offset + bytes > data.byteLength) return undefined;
    if (wanted(spec.name)) {
      let values: Float32Array;
      if (!quantization) values = new Float32Array(data.slice(offset, offset + bytes));
      else {
        const { min, scale } = quantization;
        if (typeof min !== 'number' || typeof scale !== 'number') return undefined;
        const q =
          quantization.dtype === 'uint8'
            ? new Uint8Array(data, offset, size)
            : new Uint16Array(data.slice(offset, offset + bytes));
        values = new Float32Array(size);
        for (let i = 0; i < size; i++) values[i] = q[i]! * scale + min;
      }
      out.set(spec.name, { shape: spec.shape, values });
    }
    offset += bytes;
  }
  return out;
}
