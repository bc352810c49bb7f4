import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from './model/model-config';

export { decodeTargetSize } from './decode-target-size';

/**
 * Turns one decoded image (H x W x 3|4, values 0..255) into the network's input
 * (inputH x inputW x 3, normalised). Decoders usually hand over pixels already
 * downscaled to the input size with area averaging, so the resize here is then a no-op.
 * Call inside tf.tidy.
 */
export function preprocessImage(image: tf.Tensor3D, config: ModelConfig): tf.Tensor3D {
  const [inH, inW] = config.inputSize;
  let x: tf.Tensor3D = image.shape[2] === 3 ? image : tf.slice(image, [0, 0, 0], [-1, -1, 3]);
  if (config.resize === 'center-crop') x = centerCropToAspect(x, inW / inH);
  if (x.shape[0] !== inH || x.shape[1] !== inW) {
    x = tf.image.resizeBilinear(x, [inH, inW], false, true);
  }
  const { scale, offset } = config.normalization;
  const scaled = tf.mul(tf.cast(x, 'float32'), scale) as tf.Tensor3D;
  return offset === 0 ? scaled : (tf.add(scaled, offset) as tf.Tensor3D);
}

/** The largest centred window of the image whose width/height equals `aspect`. */
export function centerCropToAspect(image: tf.Tensor3D, aspect: number): tf.Tensor3D {
  const [h, w] = image.shape;
  const cropW = Math.min(w, Math.round(h * aspect));
  const cropH = Math.min(h, Math.round(w / aspect));
  if (cropW === w && cropH === h) return image;
  const top = Math.floor((h - cropH) / 2);
  const left = Math.floor((w - cropW) / 2);
  return tf.slice(image, [top, left, 0], [cropH, cropW, -1]);
}
