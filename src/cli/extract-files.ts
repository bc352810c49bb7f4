import { describeError } from '../errors';
import { decodeImageFile, type RgbImage } from '../engine/node/decode-file';
import type { NodeExtractor } from '../engine/node/node-extractor';

export type FileFeatures =
  | { readonly file: string; readonly clean: Float32Array }
  | { readonly file: string; readonly error: { name: string; message: string } };

/** Clean feature vectors of image files, `batchSize` at a time, in order; a file that fails yields its error. */
export async function* extractFiles(
  extractor: NodeExtractor,
  files: readonly string[],
  batchSize: number,
): AsyncGenerator<FileFeatures[]> {
  for (let i = 0; i < files.length; i += batchSize) {
    const chunk = files.slice(i, i + batchSize);
    // Decoding runs on libuv's thread pool, so a chunk decodes in parallel.
    const decoded = await Promise.allSettled(chunk.map((f) => decodeImageFile(f, extractor.config)));
    const good: { index: number; image: RgbImage }[] = [];
    const out: FileFeatures[] = chunk.map((file, j) => {
      const r = decoded[j]!;
      if (r.status === 'rejected') return { file, error: describeError(r.reason) };
      good.push({ index: j, image: r.value });
      return { file, clean: new Float32Array(0) };
    });
    const vectors = await extractor.extract(good.map((g) => g.image));
    good.forEach((g, j) => (out[g.index] = { file: chunk[g.index]!, clean: vectors[j]! }));
    yield out;
  }
}
