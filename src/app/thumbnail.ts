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

/** The largest file shown as its own preview, bytes: a small picture's file is a few KB. */
export const OWN_PREVIEW_BYTES = 64 * 1024;

/** Still-image types an img element shows as they are (GIF and AVIF may be animated). */
const STILL_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/webp']);

/**
 * The preview of a file the engine has read: the file itself when the picture is already no larger than a
 * thumbnail (the img element applies its EXIF orientation as the thumbnail would), else a thumbnail. Resizing
 * a small picture to its own size and encoding it again gave a copy of it, and cost the page a second read of
 * the file, a decode and an encode on the cores the network needs.
 */
export function previewOf(
  file: Blob,
  sourceWidth: number,
  sourceHeight: number,
  thumbnail: (source: Blob, width: number) => Promise<Blob> = makeThumbnail,
): Promise<Blob> {
  const own = Math.max(sourceWidth, sourceHeight) <= THUMBNAIL_WIDTH;
  if (own && file.size <= OWN_PREVIEW_BYTES && STILL_TYPES.has(file.type)) return Promise.resolve(file);
  return thumbnail(file, thumbnailWidth(sourceWidth, sourceHeight));
}

/**
 * A preview begun before the engine has read the file, so that the first card of a pick does not wait for one made
 * after its features. It is begun only once the picture's header has given a size the engine accepts (nothing the
 * engine would refuse as too large is decoded here) and larger than a thumbnail: its preview is then a thumbnail
 * THUMBNAIL_WIDTH wide. `forSize` gives it to a result whose size it fits, and makes the preview as previewOf does
 * otherwise.
 */
export class EarlyPreview {
  private readonly made: Promise<Blob | undefined>;

  constructor(
    private readonly file: Blob,
    headerSize: Promise<{ width: number; height: number } | undefined>,
    private readonly thumbnail: (source: Blob, width: number) => Promise<Blob> = makeThumbnail,
  ) {
    this.made = headerSize
      .then((size) =>
        size && Math.max(size.width, size.height) > THUMBNAIL_WIDTH ? thumbnail(file, THUMBNAIL_WIDTH) : undefined,
      )
      .catch(() => undefined);
  }

  async forSize(sourceWidth: number, sourceHeight: number): Promise<Blob> {
    const fits = Math.max(sourceWidth, sourceHeight) > THUMBNAIL_WIDTH;
    const early = fits ? await this.made : undefined;
    return early ?? previewOf(this.file, sourceWidth, sourceHeight, this.thumbnail);
  }
}
