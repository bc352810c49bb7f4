/** Width of a result's preview, in pixels: the card shows it at most 140 CSS pixels wide. */
export const THUMBNAIL_WIDTH = 160;

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
    const canvas = new OffscreenCanvas(small.width, small.height);
    canvas.getContext('2d')!.drawImage(small, 0, 0);
    return await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.8 });
  } finally {
    small.close();
  }
}
