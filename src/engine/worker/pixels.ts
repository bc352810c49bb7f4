import { ObscuraError } from '../../errors';

/** RGBA pixels of a bitmap, read through a 2D canvas so every backend sees the same bytes. */
export function bitmapPixels(bitmap: ImageBitmap): ImageData {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new ObscuraError('BackendFailedError', 'no 2D canvas context is available to read pixels');
  ctx.drawImage(bitmap, 0, 0);
  return ctx.getImageData(0, 0, bitmap.width, bitmap.height);
}

/** SHA-256 of the pixel bytes, hex. */
export async function hashPixels(pixels: ImageData): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', pixels.data);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
