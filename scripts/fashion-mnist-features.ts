// Fashion-MNIST features through the default model in Node, for the privacy and secure-aggregation evals.
import sharp from 'sharp';
import { join } from 'node:path';
import { idxImageAt, readIdxImages, readIdxLabels } from '../eval/idx';
import type { NodeExtractor } from '../src/engine/node/node-extractor';
import { FASHION_MNIST_DIR } from '../tests/support/data-paths';

export async function fashionFeatures(
  extractor: NodeExtractor,
  split: 'train' | 't10k',
  count: number,
  first = 0,
): Promise<{ vectors: Float32Array[]; labels: Uint8Array }> {
  const images = await readIdxImages(join(FASHION_MNIST_DIR, `${split}-images-idx3-ubyte.gz`));
  const all = await readIdxLabels(join(FASHION_MNIST_DIR, `${split}-labels-idx1-ubyte.gz`));
  const labels = all.subarray(first, first + count);
  const [h, w] = extractor.config.inputSize;
  const vectors: Float32Array[] = [];
  for (let i = first; i < first + count; i += 8) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(8, first + count - i) }, async (_, j) => {
        const grey = Buffer.from(idxImageAt(images, i + j));
        const data = await sharp(grey, { raw: { width: images.cols, height: images.rows, channels: 1 } })
          .toColourspace('srgb')
          .resize(w, h, { fit: 'fill', kernel: 'lanczos3' })
          .removeAlpha()
          .raw()
          .toBuffer();
        return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: w, height: h };
      }),
    );
    vectors.push(...(await extractor.extract(batch)));
    if ((i / 8) % 25 === 0) process.stderr.write(`features ${split}: ${i + batch.length}/${first + count}\n`);
  }
  return { vectors, labels: Uint8Array.from(labels) };
}

export function meanOf(vectors: readonly ArrayLike<number>[]): Float64Array {
  const m = new Float64Array(vectors[0]!.length);
  for (const v of vectors) for (let j = 0; j < m.length; j++) m[j]! += v[j]! / vectors.length;
  return m;
}

export function sqDist(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j]! - b[j]!) ** 2;
  return s;
}

/** Nearest-centroid (cosine) accuracy of class centroids on labelled test vectors. */
export function centroidAccuracy(
  centroids: readonly ArrayLike<number>[],
  test: readonly ArrayLike<number>[],
  labels: ArrayLike<number>,
): number {
  const norms = centroids.map((c) => Math.sqrt(Array.from(c).reduce((s, x) => s + x * x, 0)) || 1);
  let correct = 0;
  test.forEach((x, i) => {
    let best = -1;
    let bestScore = -Infinity;
    centroids.forEach((c, k) => {
      let dot = 0;
      for (let j = 0; j < c.length; j++) dot += c[j]! * x[j]!;
      if (dot / norms[k]! > bestScore) {
        bestScore = dot / norms[k]!;
        best = k;
      }
    });
    if (best === labels[i]) correct++;
  });
  return correct / test.length;
}
