import * as tf from '@tensorflow/tfjs';
import type { ModelConfig, ModelRef } from './model/model-config';
import type { FeatureNetwork } from './model/load-model';
import { preprocessImage } from './preprocess';

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
    const features = tf.tidy(() => this.network.run(tf.stack(images.map((im) => preprocessImage(im, this.config))) as tf.Tensor4D));
    try {
      const flat = (await features.data()) as Float32Array;
      const d = this.model.dims;
      return images.map((_, i) => flat.slice(i * d, (i + 1) * d));
    } finally {
      features.dispose();
    }
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
