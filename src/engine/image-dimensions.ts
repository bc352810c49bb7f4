import type { SniffedFormat } from './sniff-format';

/**
 * The bytes readImageDimensions needs from a file's start: enough to reach a JPEG's frame header past a large EXIF
 * block with its thumbnail.
 */
export const IMAGE_HEADER_BYTES = 256 * 1024;

/**
 * Width and height read from an image's header, without decoding it, so huge images
 * can be refused before a decoder allocates their pixels. Returns undefined when the
 * header does not say (or is cut short): the caller then relies on the decoder's own limits.
 * Orientation is not applied: the limits are symmetric in width and height.
 */
export function readImageDimensions(
  bytes: Uint8Array,
  format: SniffedFormat,
): { width: number; height: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fits = (offset: number, length: number) => offset + length <= bytes.byteLength;
  switch (format) {
    case 'png':
      // Signature (8) + IHDR length (4) + "IHDR" (4), then width, height as big-endian u32.
      return fits(16, 8) ? { width: view.getUint32(16), height: view.getUint32(20) } : undefined;
    case 'gif':
      return fits(6, 4) ? { width: view.getUint16(6, true), height: view.getUint16(8, true) } : undefined;
    case 'bmp': {
      if (!fits(18, 8)) return undefined;
      // BITMAPINFOHEADER: a negative height means a top-down bitmap.
      return { width: Math.abs(view.getInt32(18, true)), height: Math.abs(view.getInt32(22, true)) };
    }
    case 'webp':
      return webpDimensions(bytes, view);
    case 'jpeg':
      return jpegDimensions(bytes, view);
    default:
      return undefined;
  }
}

function webpDimensions(bytes: Uint8Array, view: DataView): { width: number; height: number } | undefined {
  if (bytes.byteLength < 30) return undefined;
  const chunk = String.fromCharCode(...bytes.subarray(12, 16));
  if (chunk === 'VP8X') {
    const u24 = (o: number) => (bytes[o] ?? 0) | ((bytes[o + 1] ?? 0) << 8) | ((bytes[o + 2] ?? 0) << 16);
    return { width: u24(24) + 1, height: u24(27) + 1 };
  }
  if (chunk === 'VP8L') {
    const b = view.getUint32(21, true);
    return { width: (b & 0x3fff) + 1, height: ((b >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8 ') {
    return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
  }
  return undefined;
}

/** Walks the JPEG markers to the first start-of-frame segment. */
function jpegDimensions(bytes: Uint8Array, view: DataView): { width: number; height: number } | undefined {
  let offset = 2;
  while (offset + 9 <= bytes.byteLength) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1] ?? 0;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { width: view.getUint16(offset + 7), height: view.getUint16(offset + 5) };
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      offset += 2;
      continue;
    }
    offset += 2 + view.getUint16(offset + 2);
  }
  return undefined;
}
