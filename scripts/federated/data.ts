// The federated evaluation's data: Fashion-MNIST features (the real extractor's, cached, or the
// pixel stand-in for tuning), dealt to simulated devices, with the two heads training starts from.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SeededRandom } from '../../eval/seeded-random';
import { headFromClassifier, zeroHead, type LinearClassifier, type LinearHead } from '../../src/codebook/linear-head';
import { parseCodebookJson } from '../../src/codebook/load-codebook';
import { fitLinear } from '../../src/codebook/train';
import { dealDevices, type Device } from './devices';
import { fashionFeatureSet, type FeatureSet } from './features';
import { pixelPcaFeatures } from './pixel-features';
import type { Labelled } from './simulate';
import { featureStats, type FeatureStats } from '../../src/codebook/standardise';

export type FeatureKind = 'real' | 'stand-in';

export interface Split extends Labelled {
  readonly vectors: readonly ArrayLike<number>[];
  readonly labels: Uint8Array;
}

export interface FederatedData {
  readonly kind: FeatureKind;
  readonly model: FeatureSet['model'];
  readonly train: Split;
  readonly test: Split;
  readonly devices: Device[];
  readonly zero: LinearHead;
  /** Today's codebook from labelled folders (for the stand-in: the same recipe on its features). */
  readonly publicHead: LinearHead;
  readonly publicCodebookPath: string;
  /** Public feature statistics (the public codebook's labelled images) for standardised training (standardise.ts). */
  readonly publicStats: FeatureStats;
}

export const PUBLIC_CODEBOOK = 'public/codebooks/fashion-10.json';
const ROOT = join(import.meta.dirname, '..', '..');
const K = 10;
/** The demo codebook's recipe: the first 100 training images of each class (data/codebooks provenance). */
const PUBLIC_PER_CLASS = 100;

function firstOfEachClass(labels: Uint8Array, perClass: number): number[] {
  const taken = new Array<number>(K).fill(0);
  const picked: number[] = [];
  for (let i = 0; i < labels.length && picked.length < perClass * K; i++) {
    if (taken[labels[i]!]! < perClass) {
      taken[labels[i]!]!++;
      picked.push(i);
    }
  }
  return picked;
}

async function publicHeadFor(kind: FeatureKind, train: Split): Promise<LinearHead> {
  if (kind === 'real') {
    const codebook = await parseCodebookJson(await readFile(join(ROOT, PUBLIC_CODEBOOK), 'utf8'));
    return headFromClassifier(codebook.classifier as LinearClassifier);
  }
  const picked = firstOfEachClass(train.labels, PUBLIC_PER_CLASS);
  const classifier = fitLinear({
    vectors: picked.map((i) => train.vectors[i]!),
    labels: picked.map((i) => train.labels[i]!),
    k: K,
  });
  return headFromClassifier(classifier as LinearClassifier);
}

export interface DealSpec {
  readonly devices: number;
  readonly alpha: number;
  readonly minExamples: number;
  readonly maxExamples: number;
  readonly seed: number;
  /** Training and test images used (all by default): fewer for the fast pipeline test. */
  readonly trainCount?: number;
  readonly testCount?: number;
}

export async function loadData(kind: FeatureKind, spec: DealSpec): Promise<FederatedData> {
  const trainCount = spec.trainCount ?? 60000;
  const testCount = spec.testCount ?? 10000;
  let train: FeatureSet;
  let test: FeatureSet;
  if (kind === 'real') {
    test = await fashionFeatureSet('t10k', testCount);
    train = await fashionFeatureSet('train', trainCount);
  } else {
    const all = await pixelPcaFeatures(96);
    const cut = (s: FeatureSet, n: number): FeatureSet => ({
      ...s,
      vectors: s.vectors.slice(0, n),
      labels: s.labels.subarray(0, n),
    });
    train = cut(all.train, trainCount);
    test = cut(all.test, testCount);
  }
  const devices = dealDevices(train.labels, K, spec, new SeededRandom(spec.seed));
  return {
    kind,
    model: train.model,
    train,
    test,
    devices,
    zero: zeroHead(K, train.dims),
    publicHead: await publicHeadFor(kind, train),
    publicCodebookPath: PUBLIC_CODEBOOK,
    publicStats: featureStats(firstOfEachClass(train.labels, PUBLIC_PER_CLASS).map((i) => train.vectors[i]!)),
  };
}

/** The same linear head fitted centrally on all the devices' examples together: the non-private reference. */
export function centralHead(data: FederatedData): LinearHead {
  const indices = data.devices.flatMap((d) => d.examples);
  const classifier = fitLinear({
    vectors: indices.map((i) => data.train.vectors[i]!),
    labels: indices.map((i) => data.train.labels[i]!),
    k: K,
  });
  return headFromClassifier(classifier as LinearClassifier);
}
