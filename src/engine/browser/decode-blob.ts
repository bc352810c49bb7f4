import { ObscuraError } from '../../errors';
import { readImageDimensions } from '../image-dimensions';
import { checkImageSize } from '../input-limits';
import type { ModelConfig } from '../model/model-config';
import { decodeTargetSize } from '../decode-target-size';
import { sniffImageFormat, type SniffedFormat } from '../sniff-format';
import { isTruncated } from '../truncation';

const SUPPORTED = 'JPEG, PNG, WebP, GIF, BMP or AVIF';
/** Enough to reach a JPEG's frame header past a large EXIF block with its thumbnail. */
const HEADER_BYTES = 256 * 1024;

export interface DecodedImage {
  /** Pixels at the size the model needs (orientation applied, metadata gone). */
  readonly bitmap: ImageBitmap;
  readonly format: SniffedFormat;
  /** Size of the original image, orientation not applied. */
  readonly sourceWidth: number;
  readonly sourceHeight: number;
}

/**
 * Decodes an image file in the worker. The header is checked first (format, size
 * limits, truncation), so a huge or broken file is refused before a decoder
 * allocates its pixels; the browser then decodes straight to the model's input
 * size, applying EXIF orientation.
 */
export async function decodeBlob(blob: Blob, config: ModelConfig, name = 'image'): Promise<DecodedImage> {
  if (blob.size === 0) throw new ObscuraError('DecodeError', `${name} is empty (0 bytes)`);
  // Both ends are read at once: each read is a trip to another thread, and in a batch the network
  // holds this one between trips.
  const [headBytes, tailBytes] = await Promise.all([
    blob.slice(0, HEADER_BYTES).arrayBuffer(),
    blob.slice(Math.max(0, blob.size - 64)).arrayBuffer(),
  ]);
  const head = new Uint8Array(headBytes);
  const format = sniffImageFormat(head);
  if (format === 'svg')
    throw new ObscuraError(
      'UnsupportedInputError',
      `${name} is SVG, a vector format; only raster images (${SUPPORTED}) are read`,
    );
  if (format === 'unknown' || format === 'tiff' || format === 'heif') {
    throw new ObscuraError(
      'UnsupportedInputError',
      `${name} is not an image the browser decodes: its first bytes match none of ${SUPPORTED}`,
    );
  }
  if (isTruncated(format, new Uint8Array(tailBytes)))
    throw new ObscuraError('DecodeError', `${name} is a truncated ${format} file (its end marker is missing)`);
  const dims = readImageDimensions(head, format);
  if (dims) checkImageSize(dims.width, dims.height, name);

  if (dims && config.resize === 'squash') {
    // The target size does not depend on orientation: decode and downscale in one step.
    const [h, w] = config.inputSize;
    const bitmap = await decodeOrThrow(
      () =>
        createImageBitmap(blob, {
          imageOrientation: 'from-image',
          resizeWidth: w,
          resizeHeight: h,
          resizeQuality: 'high',
        }),
      name,
      format,
    );
    return { bitmap, format, sourceWidth: dims.width, sourceHeight: dims.height };
  }
  const full = await decodeOrThrow(() => createImageBitmap(blob, { imageOrientation: 'from-image' }), name, format);
  const { width, height } = full;
  try {
    checkImageSize(width, height, name);
    const target = decodeTargetSize(config, width, height);
    const bitmap = await createImageBitmap(full, {
      resizeWidth: target.width,
      resizeHeight: target.height,
      resizeQuality: 'high',
    });
    return { bitmap, format, sourceWidth: width, sourceHeight: height };
  } finally {
    full.close();
  }
}

async function decodeOrThrow(
  decode: () => Promise<ImageBitmap>,
  name: string,
  format: SniffedFormat,
): Promise<ImageBitmap> {
  try {
    return await decode();
  } catch (err) {
    throw new ObscuraError(
      'DecodeError',
      `${name} could not be decoded as ${format}: ${(err as Error).message || 'the browser refused it'}`,
    );
  }
}
