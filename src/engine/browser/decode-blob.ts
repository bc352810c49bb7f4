import { ObscuraError } from '../../errors';
import { IMAGE_HEADER_BYTES as HEADER_BYTES, readImageDimensions } from '../image-dimensions';
import { checkImageSize } from '../input-limits';
import type { ModelConfig } from '../model/model-config';
import { decodeTargetSize } from '../decode-target-size';
import { sniffImageFormat, type SniffedFormat } from '../sniff-format';
import { isTruncated } from '../truncation';

const SUPPORTED = 'JPEG, PNG, WebP, GIF, BMP or AVIF';

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
  const { head, tail } = await readEnds(blob);
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
  if (isTruncated(format, tail))
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

/** Bytes the truncation check looks at, from the file's end. */
const TAIL_BYTES = 64;

/**
 * The file's first HEADER_BYTES and last TAIL_BYTES. Each read, and each slice, is a trip to the browser
 * process (whose IO thread every thread of the page shares, and which opens the file again each time), so
 * a file no larger than the header is read once, whole; a larger one has its two ends read at once.
 */
async function readEnds(blob: Blob): Promise<{ head: Uint8Array; tail: Uint8Array }> {
  if (blob.size <= HEADER_BYTES) {
    const whole = new Uint8Array(await blob.arrayBuffer());
    return { head: whole, tail: whole.subarray(Math.max(0, whole.length - TAIL_BYTES)) };
  }
  const [head, tail] = await Promise.all([
    blob.slice(0, HEADER_BYTES).arrayBuffer(),
    blob.slice(blob.size - TAIL_BYTES).arrayBuffer(),
  ]);
  return { head: new Uint8Array(head), tail: new Uint8Array(tail) };
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
