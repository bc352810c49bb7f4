import { decodeImageFile } from '../src/engine/node/decode-file';
import { NodeExtractor } from '../src/engine/node/node-extractor';

/** The CLI's path (sharp decode + tfjs WASM in Node) over the same folder, in batches of 1 and 8. */
export async function benchCli(files: readonly string[]): Promise<Record<string, Record<string, number>>> {
  const extractor = await NodeExtractor.create({ backend: 'wasm' });
  const out: Record<string, Record<string, number>> = {};
  try {
    for (const batch of [1, 8]) {
      const t0 = performance.now();
      let failed = 0;
      for (let i = 0; i < files.length; i += batch) {
        const chunk = files.slice(i, i + batch);
        const decoded = await Promise.allSettled(chunk.map((f) => decodeImageFile(f, extractor.config)));
        const images = decoded.flatMap((d) => (d.status === 'fulfilled' ? [d.value] : []));
        failed += chunk.length - images.length;
        await extractor.extract(images);
      }
      const seconds = (performance.now() - t0) / 1000;
      out[`batch${batch}`] = { images: files.length, failed, seconds, imagesPerSecond: files.length / seconds };
    }
  } finally {
    extractor.dispose();
  }
  return out;
}
