import { ObscuraError } from '../errors';

/**
 * Images above this many pixels are refused before they are decoded whole: a
 * decoded 50 MP RGBA image is 200 MB, which is as much as a phone browser will
 * give a tab. Checked against the header's dimensions.
 */
export const MAX_MEGAPIXELS = 50;
/** Longest side accepted (browsers' canvases stop at 16 384 or 32 767). */
export const MAX_SIDE = 16384;
/** A smaller image carries too little content to describe; it is almost always a tracking pixel or an icon. */
export const MIN_SIDE = 16;

/** Throws the typed error for dimensions outside the limits; returns silently otherwise. */
export function checkImageSize(width: number, height: number, what = 'image'): void {
  if (!(width > 0 && height > 0)) {
    throw new ObscuraError('DecodeError', `${what} has no pixels (${width}x${height})`);
  }
  if (width < MIN_SIDE || height < MIN_SIDE) {
    throw new ObscuraError(
      'ImageTooSmallError',
      `${what} is ${width}x${height}; both sides must be at least ${MIN_SIDE} px`,
      { width, height },
    );
  }
  const megapixels = (width * height) / 1e6;
  if (megapixels > MAX_MEGAPIXELS || width > MAX_SIDE || height > MAX_SIDE) {
    throw new ObscuraError(
      'ImageTooLargeError',
      `${what} is ${width}x${height} (${megapixels.toFixed(1)} MP); ` +
        `the limit is ${MAX_MEGAPIXELS} MP and ${MAX_SIDE} px a side`,
      { width, height },
    );
  }
}
