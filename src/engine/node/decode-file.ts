import sharp, { type Metadata } from 'sharp';
import { readFile } from 'node:fs/promises';
import { ObscuraError } from '../../errors';
import { checkImageSize, MAX_MEGAPIXELS } from '../input-limits';
import type { ModelConfig } from '../model/model-config';
import { decodeTargetSize } from '../preprocess';
import { sniffImageFormat } from '../sniff-format';

/** Decoded RGB pixels, row-major, 3 bytes a pixel. */
export interface RgbImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

const SUPPORTED = 'JPEG, PNG, WebP, GIF, BMP, AVIF or TIFF';
const RASTER_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'avif', 'heif', 'tiff', 'bmp']);

/**
 * Decodes an image file for the model: header checked first (format, size limits),
 * EXIF orientation applied, metadata dropped, downscaled with area averaging to what
 * the model needs. Only the first frame of an animation is read.
 */
export async function decodeImageFile(path: string, config: ModelConfig): Promise<RgbImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new ObscuraError(
      'DecodeError',
      `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return decodeImageBytes(bytes, config, path);
}

export async function decodeImageBytes(bytes: Uint8Array, config: ModelConfig, what = 'image'): Promise<RgbImage> {
  if (bytes.byteLength === 0) throw new ObscuraError('DecodeError', `${what} is empty (0 bytes)`);
  const sniffed = sniffImageFormat(bytes);
  if (sniffed === 'svg') {
    throw new ObscuraError(
      'UnsupportedInputError',
      `${what} is SVG, a vector format; only raster images (${SUPPORTED}) are read`,
    );
  }
  if (sniffed === 'unknown') {
    throw new ObscuraError(
      'UnsupportedInputError',
      `${what} is not an image: its first bytes match none of ${SUPPORTED}`,
    );
  }
  const limitInputPixels = MAX_MEGAPIXELS * 1e6;
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new ObscuraError(
      'DecodeError',
      `${what} looks like ${sniffed} but its header is corrupt or truncated: ${firstLine(err)}`,
    );
  }
  if (!meta.format || !RASTER_FORMATS.has(meta.format)) {
    throw new ObscuraError(
      'UnsupportedInputError',
      `${what} has format "${meta.format ?? 'unknown'}"; expected ${SUPPORTED}`,
    );
  }
  // Orientations 5-8 swap width and height.
  const swapped = (meta.orientation ?? 1) >= 5;
  const width = swapped ? (meta.height ?? 0) : (meta.width ?? 0);
  const height = swapped ? (meta.width ?? 0) : (meta.height ?? 0);
  checkImageSize(width, height, what);
  const target = decodeTargetSize(config, width, height);
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels, failOn: 'truncated', pages: 1 })
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .resize(target.width, target.height, { fit: 'fill', kernel: 'lanczos3' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`expected 3 channels after decoding, got ${info.channels}`);
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
    };
  } catch (err) {
    throw new ObscuraError(
      'DecodeError',
      `${what} could not be decoded (corrupt or truncated ${meta.format}): ${firstLine(err)}`,
    );
  }
}

function firstLine(err: unknown): string {
  return String((err as Error).message ?? err).split('\n')[0] ?? '';
}
