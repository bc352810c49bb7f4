/** Width of a result's preview, in pixels: the card shows it at most 140 CSS pixels wide. */
export const THUMBNAIL_WIDTH = 160;

/**
 * The preview's width for an image of this size: THUMBNAIL_WIDTH, or the image's own size when it is
 * smaller. An upscaled preview shows nothing more, and the page keeps each preview it has shown decoded
 * at its full size. The orientation is not known here, so the larger side bounds it.
 */
export function thumbnailWidth(sourceWidth: number, sourceHeight: number): number {
  return Math.max(1, Math.min(THUMBNAIL_WIDTH, Math.max(sourceWidth, sourceHeight)));
}

/**
 * One canvas for every preview, kept: a new one for each left its pixels to a garbage collector that
 * does not see them, and a long batch grew the page by tens of MB before a collection. The encoder takes
 * a copy of the canvas when asked, so the next preview may draw at once.
 */
let canvas: OffscreenCanvas | undefined;

/**
 * A small JPEG of an image for its result card. The browser decodes straight to the small size
 * (createImageBitmap resizing, EXIF orientation applied), so no full-size picture stays in memory.
 * A bitmap passed in is left open: the caller still transfers it to the engine.
 */
export async function makeThumbnail(source: Blob | ImageBitmap, width = THUMBNAIL_WIDTH): Promise<Blob> {
  const small = await createImageBitmap(source, {
    resizeWidth: width,
    resizeQuality: 'medium',
    imageOrientation: 'from-image',
  });
  try {
    canvas ??= new OffscreenCanvas(small.width, small.height);
    if (canvas.width !== small.width || canvas.height !== small.height) {
      canvas.width = small.width;
      canvas.height = small.height;
    }
    const context = canvas.getContext('2d')!;
    // A preview with transparent pixels must not show the last one's through them.
    context.clearRect(0, 0, small.width, small.height);
    context.drawImage(small, 0, 0);
    return await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.8 });
  } finally {
    small.close();
  }
}
