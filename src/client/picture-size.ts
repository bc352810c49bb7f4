import { IMAGE_HEADER_BYTES, readImageDimensions } from '../engine/image-dimensions';
import { checkImageSize } from '../engine/input-limits';
import { sniffImageFormat } from '../engine/sniff-format';

export interface PictureSize {
  readonly width: number;
  readonly height: number;
}

/**
 * A picture's size as its header gives it, when it does and the engine's limits (input-limits.ts) accept it;
 * undefined otherwise. Nothing is decoded: a page may then decode a picture ahead of the engine (its preview) without
 * decoding one the engine would refuse as too large.
 */
export async function acceptedPictureSize(file: Blob): Promise<PictureSize | undefined> {
  const head = new Uint8Array(await file.slice(0, IMAGE_HEADER_BYTES).arrayBuffer());
  const size = readImageDimensions(head, sniffImageFormat(head));
  if (!size) return undefined;
  try {
    checkImageSize(size.width, size.height);
    return size;
  } catch {
    return undefined; // The engine refuses it, and says why.
  }
}
