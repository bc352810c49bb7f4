import * as tf from '@tensorflow/tfjs-core';

/** One weight of a model, as float32 values in its shape. */
export interface Weight {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** Bytes a value takes in the weight data, by stored type (tfjs's weight manifest). */
const STORED_BYTES: Readonly<Record<string, number>> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/**
 * The weights named `wanted` of a model's files, read straight from the weight data as tfjs reads them
 * (a quantized value is `q · scale + min`, in float32), without making a tensor of each. Undefined when one of
 * them is stored in a form not read here (only float32, or float32 quantized to uint8 or uint16, is), or the
 * data does not hold what the manifest describes.
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
    const perValue = STORED_BYTES[quantization?.dtype ?? spec.dtype];
    if (perValue === undefined) return undefined;
    const bytes = size * perValue;
    if (offset + bytes > data.byteLength) return undefined;
    if (wanted(spec.name)) {
      const values = float32Values(data, offset, size, spec);
      if (!values) return undefined;
      out.set(spec.name, { shape: spec.shape, values });
    }
    offset += bytes;
  }
  return out;
}

function float32Values(
  data: ArrayBuffer,
  offset: number,
  size: number,
  spec: tf.io.WeightsManifestEntry,
): Float32Array | undefined {
  const quantization = spec.quantization;
  if (spec.dtype !== 'float32') return undefined;
  if (!quantization) return new Float32Array(data.slice(offset, offset + size * 4));
  const { dtype, min, scale } = quantization;
  if ((dtype !== 'uint8' && dtype !== 'uint16') || typeof min !== 'number' || typeof scale !== 'number')
    return undefined;
  const q =
    dtype === 'uint8' ? new Uint8Array(data, offset, size) : new Uint16Array(data.slice(offset, offset + size * 2));
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = q[i]! * scale + min;
  return values;
}
