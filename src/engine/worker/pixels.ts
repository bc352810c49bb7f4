import { ObscuraError } from '../../errors';

/**
 * One canvas a thread, kept: a new one for each image leaves its pixel store to a garbage collector that
 * does not see it, and a long batch then grows the process.
 */
let canvas: OffscreenCanvas | undefined;
let context: OffscreenCanvasRenderingContext2D | undefined;

/** RGBA pixels of a bitmap, read through a 2D canvas so every backend sees the same bytes. */
export function bitmapPixels(bitmap: ImageBitmap): ImageData {
  if (!canvas || !context || canvas.width !== bitmap.width || canvas.height !== bitmap.height) {
    canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    context = canvas.getContext('2d', { willReadFrequently: true }) ?? undefined;
    if (!context) throw new ObscuraError('BackendFailedError', 'no 2D canvas context is available to read pixels');
  }
  // A bitmap with transparent pixels must not show the last image's through them.
  context.clearRect(0, 0, bitmap.width, bitmap.height);
  context.drawImage(bitmap, 0, 0);
  return context.getImageData(0, 0, bitmap.width, bitmap.height);
}

/** SHA-256 of the pixel bytes, hex. */
export async function hashPixels(pixels: ImageData): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', pixels.data);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
