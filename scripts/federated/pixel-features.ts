// A quick stand-in for the extractor's features, for tuning only: the 96 leading principal
// components of the centred pixels (subspace iteration on the training covariance). The
// evaluation's reported figures come from the real extractor (features.ts).
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { idxImageAt, readIdxImages, readIdxLabels } from '../../eval/idx';
import { FASHION_MNIST_DIR } from '../../tests/support/data-paths';
import type { FeatureSet } from './features';

function orthonormalise(q: Float64Array[], rows: number): void {
  for (let c = 0; c < q.length; c++) {
    const v = q[c]!;
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let r = 0; r < rows; r++) dot += v[r]! * q[p]![r]!;
      for (let r = 0; r < rows; r++) v[r]! -= dot * q[p]![r]!;
    }
    let n = 0;
    for (let r = 0; r < rows; r++) n += v[r]! * v[r]!;
    n = Math.sqrt(n) || 1;
    for (let r = 0; r < rows; r++) v[r]! /= n;
  }
}

async function computePixelPca(dims: number): Promise<{ train: FeatureSet; test: FeatureSet }> {
  const read = async (split: string) => ({
    images: await readIdxImages(join(FASHION_MNIST_DIR, `${split}-images-idx3-ubyte.gz`)),
    labels: await readIdxLabels(join(FASHION_MNIST_DIR, `${split}-labels-idx1-ubyte.gz`)),
  });
  const train = await read('train');
  const test = await read('t10k');
  const p = train.images.rows * train.images.cols;
  const mean = new Float64Array(p);
  const n = train.labels.length;
  for (let i = 0; i < n; i++) {
    const img = idxImageAt(train.images, i);
    for (let j = 0; j < p; j++) mean[j]! += img[j]! / 255 / n;
  }
  const cov = new Float64Array(p * p);
  const x = new Float64Array(p);
  // A 20 000-image sample is plenty for the leading components.
  const sample = Math.min(n, 20000);
  for (let i = 0; i < sample; i++) {
    const img = idxImageAt(train.images, i);
    for (let j = 0; j < p; j++) x[j] = img[j]! / 255 - mean[j]!;
    for (let a = 0; a < p; a++) {
      const xa = x[a]!;
      if (xa === 0) continue;
      const row = a * p;
      for (let b = a; b < p; b++) cov[row + b]! += xa * x[b]!;
    }
  }
  for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) cov[a * p + b] = cov[b * p + a]!;
  let q = Array.from({ length: dims }, (_, c) => Float64Array.from({ length: p }, (_, r) => Math.sin(r * (c + 1) + c)));
  orthonormalise(q, p);
  for (let it = 0; it < 30; it++) {
    q = q.map((v) => {
      const out = new Float64Array(p);
      for (let a = 0; a < p; a++) {
        let s = 0;
        const row = a * p;
        for (let b = 0; b < p; b++) s += cov[row + b]! * v[b]!;
        out[a] = s;
      }
      return out;
    });
    orthonormalise(q, p);
  }
  const project = (split: typeof train): FeatureSet => ({
    dims,
    labels: split.labels,
    model: { id: 'pixels-pca', layer: 'pixels', dims },
    vectors: Array.from({ length: split.labels.length }, (_, i) => {
      const img = idxImageAt(split.images, i);
      return Float32Array.from(q, (v) => {
        let s = 0;
        for (let j = 0; j < p; j++) s += (img[j]! / 255 - mean[j]!) * v[j]!;
        return s;
      });
    }),
  });
  return { train: project(train), test: project(test) };
}

const CACHE = join(import.meta.dirname, '..', '..', '.data', 'federated-pixels');

async function readSet(base: string, dims: number): Promise<FeatureSet> {
  const raw = await readFile(`${base}.f32`);
  const all = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const labels = new Uint8Array(await readFile(`${base}.labels`));
  const vectors = Array.from({ length: labels.length }, (_, i) => all.subarray(i * dims, (i + 1) * dims));
  return { dims, labels, vectors, model: { id: 'pixels-pca', layer: 'pixels', dims } };
}

async function writeSet(base: string, set: FeatureSet): Promise<void> {
  const all = new Float32Array(set.vectors.length * set.dims);
  set.vectors.forEach((v, i) => all.set(v, i * set.dims));
  await writeFile(`${base}.f32`, new Uint8Array(all.buffer));
  await writeFile(`${base}.labels`, set.labels);
}

/** The stand-in features of both splits, computed once (about a minute) and kept in .data/federated-pixels/. */
export async function pixelPcaFeatures(dims: number): Promise<{ train: FeatureSet; test: FeatureSet }> {
  const base = (split: string) => join(CACHE, `${split}-${dims}`);
  if (existsSync(`${base('t10k')}.labels`)) {
    return { train: await readSet(base('train'), dims), test: await readSet(base('t10k'), dims) };
  }
  const sets = await computePixelPca(dims);
  await mkdir(CACHE, { recursive: true });
  await writeSet(base('train'), sets.train);
  // The test split goes last: its labels file marks the cache complete.
  await writeSet(base('t10k'), sets.test);
  return sets;
}
