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

/** OBSCURA_FEDERATED_CACHE points a worktree at another checkout's cache (extraction takes hours). */
const CACHE = process.env['OBSCURA_FEDERATED_CACHE'] ?? join(import.meta.dirname, '..', '..', '.data', 'federated');

/** Whether every chunk of the first `count` images of a split is cached (so reading them starts no extraction). */
export function isCached(split: 'train' | 't10k', count: number): boolean {
  for (let first = 0; first < count; first += CHUNK) {
    if (!existsSync(join(CACHE, `${split}-${Math.min(CHUNK, count - first)}-chunk-${first}.json`))) return false;
  }
  return true;
}

async function readCached(split: string, count: number, name: string): Promise<FeatureSet | undefined> {
  const base = join(CACHE, `${split}-${count}-${name}`);
  const meta = `${base}.json`;
  if (!existsSync(meta)) return undefined;
  const { dims, model } = JSON.parse(await readFile(meta, 'utf8')) as Pick<FeatureSet, 'dims' | 'model'>;
  const raw = await readFile(`${base}.f32`);
  const all = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const vectors = Array.from({ length: count }, (_, i) => all.subarray(i * dims, (i + 1) * dims));
  const labels = new Uint8Array(await readFile(`${base}.labels`));
  return { dims, vectors, labels, model };
}

/** Extraction is slow (minutes per thousand on two cores): it is kept in chunks, so a stopped run resumes. */
const CHUNK = 2000;

async function chunkOf(
  extractor: () => Promise<NodeExtractor>,
  split: 'train' | 't10k',
  first: number,
  count: number,
): Promise<FeatureSet> {
  const name = `chunk-${first}`;
  const cached = await readCached(split, count, name);
  if (cached) return cached;
  const source = await extractor();
  const { vectors, labels } = await fashionFeatures(source, split, count, first);
  const dims = vectors[0]!.length;
  const model = { ...source.model, dims };
  const all = new Float32Array(count * dims);
  vectors.forEach((v, i) => all.set(v, i * dims));
  await mkdir(CACHE, { recursive: true });
  const base = join(CACHE, `${split}-${count}-${name}`);
  await writeFile(`${base}.f32`, new Uint8Array(all.buffer));
  await writeFile(`${base}.labels`, labels);
  // The metadata goes last: a chunk counts as cached only once its vectors and labels are written.
  await writeFile(`${base}.json`, JSON.stringify({ dims, model }));
  return { dims, vectors, labels, model };
}

/** The first `count` images of a split as feature vectors, extracted on the first call and cached. */
export async function fashionFeatureSet(split: 'train' | 't10k', count: number): Promise<FeatureSet> {
  let extractor: Promise<NodeExtractor> | undefined;
  const lazy = () => (extractor ??= NodeExtractor.create());
  const chunks: FeatureSet[] = [];
  for (let first = 0; first < count; first += CHUNK) {
    chunks.push(await chunkOf(lazy, split, first, Math.min(CHUNK, count - first)));
  }
  const { dims, model } = chunks[0]!;
  const labels = new Uint8Array(count);
  let at = 0;
  for (const chunk of chunks) {
    labels.set(chunk.labels, at);
    at += chunk.labels.length;
  }
  return { dims, model, vectors: chunks.flatMap((c) => c.vectors), labels };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [split, count] = [process.argv[2] as 'train' | 't10k', Number(process.argv[3])];
  const set = await fashionFeatureSet(split, count);
  console.log(`${split}: ${set.vectors.length} vectors of ${set.dims} (${JSON.stringify(set.model)})`);
}
