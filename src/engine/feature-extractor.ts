import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig, ModelRef } from './model/model-config';
import type { FeatureNetwork } from './model/load-model';
import { preprocessImage } from './preprocess';
import { isInputSized, writeNetworkInput, type NetworkInput, type PixelImage } from './pixels-to-input';

/**
 * Computes clean feature vectors from decoded images. Pure computation over a loaded
 * network: loading, decoding and backends live elsewhere. Every tensor it makes is
 * disposed before it returns.
 */
export class FeatureExtractor {
  readonly model: ModelRef;

  constructor(
    readonly config: ModelConfig,
    private readonly network: FeatureNetwork,
  ) {
    this.model = { id: config.id, layer: network.layer, dims: network.dims };
  }

  /** Features of each image (H x W x 3|4 tensors, values 0..255), in order. Does not dispose the inputs. */
  async extract(images: readonly tf.Tensor3D[]): Promise<Float32Array[]> {
    if (images.length === 0) return [];
    const features = tf.tidy(() =>
      this.network.run(tf.stack(images.map((im) => preprocessImage(im, this.config))) as tf.Tensor4D),
    );
    try {
      return this.split((await features.data()) as Float32Array, images.length);
    } finally {
      features.dispose();
    }
  }

  /**
   * Features of decoded pixel images. Images already at the input size (what the
   * decoders deliver) are normalised in one JS pass; others go through tfjs resizing.
   */
  async extractPixels(images: readonly PixelImage[]): Promise<Float32Array[]> {
    if (images.length === 0) return [];
    if (!images.every((im) => isInputSized(im, this.config))) {
      const tensors = images.map((im) =>
        tf.tensor3d(
          im.data instanceof Uint8Array
            ? im.data
            : new Uint8Array(im.data.buffer, im.data.byteOffset, im.data.byteLength),
          [im.height, im.width, im.channels],
          'int32',
        ),
      );
      try {
        return await this.extract(tensors);
      } finally {
        for (const t of tensors) t.dispose();
      }
    }
    const [h, w] = this.config.inputSize;
    const size = h * w * 3;
    const input = new Float32Array(size * images.length);
    images.forEach((im, i) => writeNetworkInput(im, this.config, input, i * size));
    const batch = tf.tensor4d(input, [images.length, h, w, 3]);
    try {
      return this.split(await this.predictBare(batch), images.length);
    } finally {
      batch.dispose();
    }
  }

  /**
   * Features of images already normalised (`writeNetworkInput`'s output, input-sized). A single image's
   * buffer is uploaded as it is; the caller may reuse it once this resolves.
   */
  async extractNormalised(images: readonly NetworkInput[]): Promise<Float32Array[]> {
    if (images.length === 0) return [];
    const [h, w] = this.config.inputSize;
    const size = h * w * 3;
    for (const im of images)
      if (im.normalised.length !== size)
        throw new RangeError(`a normalised input holds ${im.normalised.length} values, not ${h}x${w}x3`);
    let input = images[0]!.normalised;
    if (images.length > 1) {
      input = new Float32Array(size * images.length);
      images.forEach((im, i) => input.set(im.normalised, i * size));
    }
    const batch = tf.tensor4d(input, [images.length, h, w, 3]);
    try {
      return this.split(await this.predictBare(batch), images.length);
    } finally {
      batch.dispose();
    }
  }

  private split(flat: Float32Array, count: number): Float32Array[] {
    const d = this.model.dims;
    return Array.from({ length: count }, (_, i) => flat.slice(i * d, (i + 1) * d));
  }

  /** The bare network on an already-normalised batch: the baseline the pipeline is measured against. */
  async predictBare(batch: tf.Tensor4D): Promise<Float32Array> {
    const out = tf.tidy(() => this.network.run(batch));
    try {
      return (await out.data()) as Float32Array;
    } finally {
      out.dispose();
    }
  }

  dispose(): void {
    this.network.dispose();
  }
}
