import type { ModelConfig } from './model/model-config';

/** Decoded pixels, row-major, 3 (RGB) or 4 (RGBA) bytes a pixel. */
export interface PixelImage {
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
  readonly channels: 3 | 4;
}

/**
 * An image already written as the network's normalised RGB input by `writeNetworkInput`
 * (input height x width x 3 floats): a decoder thread hands this over, so the thread that runs
 * the network only uploads it.
 */
export interface NetworkInput {
  readonly normalised: Float32Array;
}

export function isNetworkInput(image: object): image is NetworkInput {
  return 'normalised' in image;
}

/** True when the image already has the network's input size, so `writeNetworkInput` applies. */
export function isInputSized(image: PixelImage, config: ModelConfig): boolean {
  return image.height === config.inputSize[0] && image.width === config.inputSize[1];
}

/**
 * Writes one image into a batch buffer as the network's normalised RGB input
 * (`value * scale + offset`), dropping alpha. One pass in plain JS replaces four
 * tfjs ops (int32 upload, channel slice, cast, scale), which cost more than the
 * arithmetic itself on the WASM backend.
 */
export function writeNetworkInput(image: PixelImage, config: ModelConfig, out: Float32Array, offset: number): void {
  const { scale, offset: shift } = config.normalization;
  const { data, channels } = image;
  const pixels = image.width * image.height;
  for (let i = 0, o = offset; i < pixels; i++, o += 3) {
    const p = i * channels;
    out[o] = data[p]! * scale + shift;
    out[o + 1] = data[p + 1]! * scale + shift;
    out[o + 2] = data[p + 2]! * scale + shift;
  }
}
