// Fashion-MNIST features through the default model, computed once and kept in .data/federated/
// (about 27 MB for 70 000 vectors of 96 floats): the federated evaluation reads them from there.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NodeExtractor } from '../../src/engine/node/node-extractor';
import { fashionFeatures } from '../fashion-mnist-features';

export interface FeatureSet {
  readonly dims: number;
  readonly vectors: Float32Array[];
  readonly labels: Uint8Array;
  /** The model, layer and dims they came from. */
  readonly model: { readonly id: string; readonly layer: string; readonly dims: number };
}

const CACHE = join(import.meta.dirname, '..', '..', '.data', 'federated');

async function readCached(split: string, count: number): Promise<FeatureSet | undefined> {
  const meta = join(CACHE, `${split}-${count}.json`);
  if (!existsSync(meta)) return undefined;
  const { dims, model } = JSON.parse(await readFile(meta, 'utf8')) as Pick<FeatureSet, 'dims' | 'model'>;
  const raw = await readFile(join(CACHE, `${split}-${count}.f32`));
  const all = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const vectors = Array.from({ length: count }, (_, i) => all.subarray(i * dims, (i + 1) * dims));
  const labels = new Uint8Array(await readFile(join(CACHE, `${split}-${count}.labels`)));
  return { dims, vectors, labels, model };
}

/** The first `count` images of a split as feature vectors, extracted on the first call and cached. */
export async function fashionFeatureSet(split: 'train' | 't10k', count: number): Promise<FeatureSet> {
  const cached = await readCached(split, count);
  if (cached) return cached;
  const extractor = await NodeExtractor.create();
  const { vectors, labels } = await fashionFeatures(extractor, split, count);
  const dims = vectors[0]!.length;
  const model = { ...extractor.model, dims };
  const all = new Float32Array(count * dims);
  vectors.forEach((v, i) => all.set(v, i * dims));
  await mkdir(CACHE, { recursive: true });
  await writeFile(join(CACHE, `${split}-${count}.f32`), new Uint8Array(all.buffer));
  await writeFile(join(CACHE, `${split}-${count}.labels`), labels);
  await writeFile(join(CACHE, `${split}-${count}.json`), JSON.stringify({ dims, model }));
  return { dims, vectors, labels, model };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [split, count] = [process.argv[2] as 'train' | 't10k', Number(process.argv[3])];
  const set = await fashionFeatureSet(split, count);
  console.log(`${split}: ${set.vectors.length} vectors of ${set.dims} (${JSON.stringify(set.model)})`);
}
