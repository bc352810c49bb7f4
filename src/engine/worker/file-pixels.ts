import { decodeBlob } from '../browser/decode-blob';
import type { ModelConfig } from '../model/model-config';
import type { SessionInput } from './backend-session';
import { bitmapPixels, hashPixels } from './pixels';

/** An image file's pixels at the network's input size, with what the engine reports beside its vector. */
export interface FilePixels {
  readonly pixels: ImageData;
  readonly contentHash: string;
  readonly sourceWidth: number;
  readonly sourceHeight: number;
}

/** A file ready for the network: its pixels, or its network input already normalised by the decoder thread. */
export interface PreparedFile {
  readonly image: SessionInput;
  readonly contentHash: string;
  readonly sourceWidth: number;
  readonly sourceHeight: number;
}

/** Decodes a file, reads its pixels back and hashes them: all the work an image file needs before the network. */
export async function filePixels(blob: Blob, config: ModelConfig, name: string): Promise<FilePixels> {
  const decoded = await decodeBlob(blob, config, name);
  let pixels: ImageData;
  try {
    pixels = bitmapPixels(decoded.bitmap);
  } finally {
    decoded.bitmap.close();
  }
  return {
    pixels,
    contentHash: await hashPixels(pixels),
    sourceWidth: decoded.sourceWidth,
    sourceHeight: decoded.sourceHeight,
  };
}
