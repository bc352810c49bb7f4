/**
 * Measures which layer of the default model gives the most useful feature vector
 * (and under which input normalisation), on installed data only:
 *
 *  1. near-duplicate retrieval on the python3-skimage photographs: each photo and
 *     its four quadrants are items; seven seeded edits of each item (crop, JPEG,
 *     brightness/contrast, rotation, flip, down+upscale, crop+tone+JPEG) are the
 *     queries; the gallery is every original plus the edits of the other items.
 *  2. training-free classification on Fashion-MNIST: 1-NN and nearest class
 *     centroid with cosine similarity (centroids of L2-normalised vectors, which is
 *     what an aggregator estimates from privatised unit vectors).
 *
 * Every image goes through the product's decoder (decodeImageBytes) and
 * preprocessing (preprocessImage); all candidate layers are read off one forward
 * pass, and each layer is cross-checked against NodeExtractor, which also gives
 * the per-image time of a network cut at that layer.
 *
 *   npm run eval:layers -- [--layers a,b] [--norms unit,symmetric]
 *                          [--fmnist-train 1000] [--fmnist-test 1000] [--seed N] [--json out.json]
 *
 * docs/feature-layers.md records a run and the choice made from it.
 */
import * as tf from '@tensorflow/tfjs';
import sharp, { type Sharp } from 'sharp';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { decodeImageBytes, type RgbImage } from '../src/engine/node/decode-file';
import { fileIOHandler } from '../src/engine/node/file-io-handler';
import { initNodeBackend } from '../src/engine/node/node-backend';
import { NODE_MODEL_ROOT, NodeExtractor } from '../src/engine/node/node-extractor';
import type { ModelConfig } from '../src/engine/model/model-config';
import { MOBILENET_V2, ModelRegistry } from '../src/engine/model/registry';
import { preprocessImage } from '../src/engine/preprocess';
import { accuracy, classCentroids, nearestCentroidPredict, nearestNeighbourPredict } from '../eval/classify';
import { idxImageAt, readIdxImages, readIdxLabels } from '../eval/idx';
import { comparePaired, type PairedComparison } from '../eval/paired';
import { hitAtK, meanAveragePrecision, recallAtK, type RankedQuery } from '../eval/retrieval';
import { SeededRandom } from '../eval/seeded-random';
import { l2Normalize, mean, subtract } from '../eval/vectors';
import {
  FASHION_MNIST_DIR as INSTALLED_FASHION_MNIST_DIR,
  PHOTOS as COLOUR_PHOTOS,
  SKIMAGE_DIR as INSTALLED_SKIMAGE_DIR,
} from '../tests/support/data-paths';

const SKIMAGE_DIR = process.env.OBSCURA_SKIMAGE_DIR ?? INSTALLED_SKIMAGE_DIR;
const FASHION_MNIST_DIR = process.env.OBSCURA_FASHION_MNIST_DIR ?? INSTALLED_FASHION_MNIST_DIR;

/**
 * Natural images of python3-skimage: colour photographs (and two colour microscopy/fundus images),
 * then greyscale photographs.
 */
const PHOTOS = [
  ...COLOUR_PHOTOS,
  'retina.jpg',
  'ihc.png',
  'camera.png',
  'coins.png',
  'moon.png',
  'grass.png',
  'gravel.png',
  'brick.png',
  'clock_motion.png',
];

const DEFAULT_LAYERS = [
  'block_2_add',
  'block_5_add',
  'block_9_add',
  'block_10_expand_relu',
  'block_10_project_BN',
  'block_12_add',
  'block_13_expand_relu',
  'block_15_add',
  'block_16_project_BN',
  'out_relu',
];

const NORMALISATIONS: Record<string, ModelConfig['normalization']> = {
  /** [0, 1]: what the registry configured before this evaluation. */
  unit: { scale: 1 / 255, offset: 0 },
  /** [-1, 1]: Keras' mobilenet_v2.preprocess_input, the range the ImageNet weights were trained on. */
  symmetric: { scale: 2 / 255, offset: -1 },
};

const TRANSFORMS = ['crop', 'jpeg', 'tone', 'rotate', 'flip', 'rescale', 'crop+tone+jpeg'] as const;
type Transform = (typeof TRANSFORMS)[number];

interface Options {
  layers: string[];
  norms: string[];
  fmnistTrain: number;
  fmnistTest: number;
  seed: number;
  batch: number;
  timingImages: number;
  /** Layer every other layer is compared against, case by case (the previous default). */
  reference: string;
  json?: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    layers: DEFAULT_LAYERS,
    norms: ['unit', 'symmetric'],
    fmnistTrain: 1000,
    fmnistTest: 1000,
    seed: 20261122,
    batch: 8,
    timingImages: 16,
    reference: 'out_relu',
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const int = () => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} needs a non-negative integer`);
      return n;
    };
    switch (flag) {
      case '--layers':
        o.layers = value().split(',').filter(Boolean);
        break;
      case '--norms':
        o.norms = value().split(',').filter(Boolean);
        break;
      case '--fmnist-train':
        o.fmnistTrain = int();
        break;
      case '--fmnist-test':
        o.fmnistTest = int();
        break;
      case '--seed':
        o.seed = int();
        break;
      case '--batch':
        o.batch = Math.max(1, int());
        break;
      case '--timing-images':
        o.timingImages = int();
        break;
      case '--json':
        o.json = value();
        break;
      case '--reference':
        o.reference = value();
        break;
      case '--help':
      case '-h':
        console.log(
          'usage: npm run eval:layers -- [--layers a,b] [--norms unit,symmetric] [--fmnist-train N] ' +
            '[--fmnist-test N] [--seed N] [--batch N] [--timing-images N] [--reference layer] [--json out.json]',
        );
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${flag}`);
    }
  }
  for (const n of o.norms)
    if (!NORMALISATIONS[n])
      throw new Error(`unknown normalisation "${n}"; expected ${Object.keys(NORMALISATIONS).join(', ')}`);
  return o;
}

const log = (msg: string) => process.stderr.write(`${msg}\n`);

// ---------------------------------------------------------------- data

/** A lazily decoded evaluation image. */
type ImageSource = () => Promise<RgbImage>;

interface NearDupSet {
  /** Every image: originals and edits. */
  images: ImageSource[];
  /** For each image: the item it shows and whether it is the item's original or which edit. */
  meta: { item: number; kind: 'original' | Transform; label: string }[];
  items: string[];
  params: string[];
}

async function png(img: Sharp): Promise<Uint8Array> {
  return new Uint8Array(await img.png({ compressionLevel: 1 }).toBuffer());
}

/** One seeded edit of an item (given as lossless PNG bytes of w x h); returns encoded bytes and a description. */
async function edit(
  item: Uint8Array,
  w: number,
  h: number,
  t: Transform,
  rng: SeededRandom,
): Promise<{ bytes: Uint8Array; what: string }> {
  const crop = async (src: Uint8Array) => {
    const f = rng.uniform(0.8, 0.9);
    const cw = Math.round(w * f);
    const ch = Math.round(h * f);
    const left = rng.int(0, w - cw);
    const top = rng.int(0, h - ch);
    return {
      bytes: await png(sharp(src).extract({ left, top, width: cw, height: ch })),
      what: `crop ${f.toFixed(2)} at ${left},${top}`,
    };
  };
  const tone = async (src: Uint8Array) => {
    const contrast = rng.uniform(0.7, 1.3);
    const brightness = rng.uniform(-40, 40);
    const bytes = await png(sharp(src).linear(contrast, 128 * (1 - contrast) + brightness));
    return {
      bytes,
      what: `contrast x${contrast.toFixed(2)} brightness ${brightness >= 0 ? '+' : ''}${brightness.toFixed(0)}`,
    };
  };
  const jpeg = async (src: Uint8Array) => {
    const quality = rng.int(30, 50);
    return { bytes: new Uint8Array(await sharp(src).jpeg({ quality }).toBuffer()), what: `JPEG q${quality}` };
  };
  switch (t) {
    case 'crop':
      return crop(item);
    case 'jpeg':
      return jpeg(item);
    case 'tone':
      return tone(item);
    case 'flip':
      return { bytes: await png(sharp(item).flop()), what: 'horizontal flip' };
    case 'rotate': {
      const angle = (rng.next() < 0.5 ? -1 : 1) * rng.uniform(3, 10);
      const rotated = await sharp(item)
        .rotate(angle, { background: { r: 0, g: 0, b: 0 } })
        .png({ compressionLevel: 1 })
        .toBuffer({ resolveWithObject: true });
      // The largest centred rectangle of the item's aspect ratio with no fill in it.
      const rad = (Math.abs(angle) * Math.PI) / 180;
      const f = 1 / (Math.cos(rad) + Math.max(w / h, h / w) * Math.sin(rad));
      const cw = Math.floor(w * f);
      const ch = Math.floor(h * f);
      const left = Math.floor((rotated.info.width - cw) / 2);
      const top = Math.floor((rotated.info.height - ch) / 2);
      return {
        bytes: await png(sharp(rotated.data).extract({ left, top, width: cw, height: ch })),
        what: `rotate ${angle.toFixed(1)}° (inner ${f.toFixed(2)})`,
      };
    }
    case 'rescale': {
      const s = rng.uniform(0.25, 0.4);
      const small = await sharp(item)
        .resize(Math.max(16, Math.round(w * s)), Math.max(16, Math.round(h * s)), { fit: 'fill' })
        .png()
        .toBuffer();
      return {
        bytes: await png(sharp(small).resize(w, h, { fit: 'fill', kernel: 'cubic' })),
        what: `down x${s.toFixed(2)} and up`,
      };
    }
    case 'crop+tone+jpeg': {
      const a = await crop(item);
      const b = await tone(a.bytes);
      const c = await jpeg(b.bytes);
      return { bytes: c.bytes, what: `${a.what}, ${b.what}, ${c.what}` };
    }
  }
}

async function buildNearDupSet(config: ModelConfig, seed: number): Promise<NearDupSet> {
  const rng = new SeededRandom(seed);
  const set: NearDupSet = { images: [], meta: [], items: [], params: [] };
  const decode =
    (bytes: Uint8Array, what: string): ImageSource =>
    () =>
      decodeImageBytes(bytes, config, what);
  for (const name of PHOTOS) {
    const path = join(SKIMAGE_DIR, name);
    if (!existsSync(path)) throw new Error(`${path} not found: install python3-skimage (or set OBSCURA_SKIMAGE_DIR)`);
    const { data, info } = await sharp(await readFile(path))
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const full = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels as 3 } });
    const W = info.width;
    const H = info.height;
    const hw = Math.floor(W / 2);
    const hh = Math.floor(H / 2);
    const regions = [
      { tag: 'full', left: 0, top: 0, width: W, height: H },
      { tag: 'top-left', left: 0, top: 0, width: hw, height: hh },
      { tag: 'top-right', left: hw, top: 0, width: W - hw, height: hh },
      { tag: 'bottom-left', left: 0, top: hh, width: hw, height: H - hh },
      { tag: 'bottom-right', left: hw, top: hh, width: W - hw, height: H - hh },
    ];
    for (const r of regions) {
      const item = set.items.length;
      const label = `${name}:${r.tag}`;
      set.items.push(label);
      const bytes = await png(full.clone().extract({ left: r.left, top: r.top, width: r.width, height: r.height }));
      set.images.push(decode(bytes, label));
      set.meta.push({ item, kind: 'original', label });
      for (const t of TRANSFORMS) {
        const e = await edit(bytes, r.width, r.height, t, rng);
        set.images.push(decode(e.bytes, `${label}/${t}`));
        set.meta.push({ item, kind: t, label: `${label}/${t}` });
        set.params.push(`${label}: ${e.what}`);
      }
    }
  }
  return set;
}

interface FashionSet {
  train: ImageSource[];
  trainLabels: Uint8Array;
  test: ImageSource[];
  testLabels: Uint8Array;
  /** The 28x28 grey levels themselves, as a no-network baseline. */
  trainPixels: Float32Array[];
  testPixels: Float32Array[];
}

async function buildFashionSet(config: ModelConfig, nTrain: number, nTest: number): Promise<FashionSet> {
  const file = (f: string) => {
    const p = join(FASHION_MNIST_DIR, f);
    if (!existsSync(p))
      throw new Error(`${p} not found: install dataset-fashion-mnist (or set OBSCURA_FASHION_MNIST_DIR)`);
    return p;
  };
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    readIdxImages(file('train-images-idx3-ubyte.gz')),
    readIdxLabels(file('train-labels-idx1-ubyte.gz')),
    readIdxImages(file('t10k-images-idx3-ubyte.gz')),
    readIdxLabels(file('t10k-labels-idx1-ubyte.gz')),
  ]);
  // A 28x28 grey image becomes an RGB PNG and is read like any user file (lanczos3 upscale to 224x224).
  const source =
    (images: typeof trainImages, i: number, what: string): ImageSource =>
    async () => {
      const grey = Buffer.from(idxImageAt(images, i));
      const bytes = await png(
        sharp(grey, { raw: { width: images.cols, height: images.rows, channels: 1 } }).toColourspace('srgb'),
      );
      return decodeImageBytes(bytes, config, what);
    };
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  return {
    train: range(nTrain).map((i) => source(trainImages, i, `train[${i}]`)),
    trainLabels: trainLabels.slice(0, nTrain),
    test: range(nTest).map((i) => source(testImages, i, `test[${i}]`)),
    testLabels: testLabels.slice(0, nTest),
    trainPixels: range(nTrain).map((i) => Float32Array.from(idxImageAt(trainImages, i))),
    testPixels: range(nTest).map((i) => Float32Array.from(idxImageAt(testImages, i))),
  };
}

// ---------------------------------------------------------------- features

interface MultiLayerNetwork {
  layers: string[];
  dims: number[];
  /** Pooled features of every layer for a batch: [layer][image]. */
  run(images: RgbImage[], config: ModelConfig): Promise<Float32Array[][]>;
  dispose(): void;
}

async function loadMultiLayer(config: ModelConfig, layers: string[]): Promise<MultiLayerNetwork> {
  const model = await tf.loadLayersModel(fileIOHandler(join(NODE_MODEL_ROOT, config.url)));
  const names = new Set(model.layers.map((l) => l.name));
  const missing = layers.filter((l) => !names.has(l));
  if (missing.length > 0) throw new Error(`layers not in the model: ${missing.join(', ')}`);
  const outputs = layers.map((l) => model.getLayer(l).output as tf.SymbolicTensor);
  const cut = tf.model({ inputs: model.inputs, outputs });
  const dims = outputs.map((o) => o.shape[o.shape.length - 1] as number);
  return {
    layers,
    dims,
    async run(images, cfg) {
      const pooled = tf.tidy(() => {
        const batch = tf.stack(
          images.map((im) => preprocessImage(tf.tensor3d(im.data, [im.height, im.width, 3], 'int32'), cfg)),
        ) as tf.Tensor4D;
        const outs = cut.predict(batch) as tf.Tensor | tf.Tensor[];
        return (Array.isArray(outs) ? outs : [outs]).map((o) => tf.mean(o, [1, 2]) as tf.Tensor2D);
      });
      try {
        const datas = await Promise.all(pooled.map((p) => p.data() as Promise<Float32Array>));
        return datas.map((flat, li) => {
          const d = dims[li]!;
          return images.map((_, i) => flat.slice(i * d, (i + 1) * d));
        });
      } finally {
        for (const p of pooled) p.dispose();
      }
    },
    dispose: () => model.dispose(),
  };
}

/** Features of every source for every layer: [layer][image]. */
async function extractAll(
  net: MultiLayerNetwork,
  config: ModelConfig,
  sources: ImageSource[],
  batch: number,
  what: string,
): Promise<Float32Array[][]> {
  const out: Float32Array[][] = net.layers.map(() => []);
  const t0 = performance.now();
  for (let i = 0; i < sources.length; i += batch) {
    const images = await Promise.all(sources.slice(i, i + batch).map((s) => s()));
    const feats = await net.run(images, config);
    feats.forEach((f, li) => out[li]!.push(...f));
    if ((i / batch) % 25 === 0 || i + batch >= sources.length) {
      const done = Math.min(i + batch, sources.length);
      log(`  ${what}: ${done}/${sources.length} (${((performance.now() - t0) / done).toFixed(0)} ms/image)`);
    }
  }
  return out;
}

// ---------------------------------------------------------------- metrics

interface NearDupScores {
  recallAt1: number;
  recallAt5: number;
  mAP: number;
  recallAt1ByTransform: Record<string, number>;
  /** Per query (edits in image order): 1 if the original ranked first. */
  hits: Uint8Array;
}

function nearDupScores(set: NearDupSet, features: Float32Array[]): NearDupScores {
  const unit = features.map(l2Normalize);
  const n = unit.length;
  const queries: (RankedQuery & { kind: string })[] = [];
  const originalOf = new Map<number, number>();
  set.meta.forEach((m, i) => {
    if (m.kind === 'original') originalOf.set(m.item, i);
  });
  for (let q = 0; q < n; q++) {
    const m = set.meta[q]!;
    if (m.kind === 'original') continue;
    const scores = new Float64Array(n);
    const uq = unit[q]!;
    for (let j = 0; j < n; j++) {
      const g = unit[j]!;
      let s = 0;
      for (let k = 0; k < g.length; k++) s += uq[k]! * g[k]!;
      scores[j] = s;
    }
    // Gallery: all originals and the edits of other items. The query's own edits are left out.
    const ignore: number[] = [];
    set.meta.forEach((o, j) => {
      if (o.item === m.item && o.kind !== 'original') ignore.push(j);
    });
    queries.push({ scores, relevant: [originalOf.get(m.item)!], ignore, kind: m.kind });
  }
  const byTransform: Record<string, number> = {};
  for (const t of TRANSFORMS)
    byTransform[t] = recallAtK(
      queries.filter((q) => q.kind === t),
      1,
    );
  return {
    recallAt1: recallAtK(queries, 1),
    recallAt5: recallAtK(queries, 5),
    mAP: meanAveragePrecision(queries),
    recallAt1ByTransform: byTransform,
    hits: Uint8Array.from(queries, (q) => hitAtK(q, 1)),
  };
}

interface FashionScores {
  nn1: number;
  centroid: number;
  centroidRaw: number;
  nn1Centred: number;
  centroidCentred: number;
  /** Per test image: 1 if 1-NN / nearest centroid got it right. */
  nn1Hits: Uint8Array;
  centroidHits: Uint8Array;
}

function fashionScores(set: FashionSet, train: Float32Array[], test: Float32Array[]): FashionScores {
  const labelled = { vectors: train, labels: set.trainLabels };
  const nn1 = nearestNeighbourPredict(labelled, test);
  const centroid = nearestCentroidPredict(classCentroids(labelled, 'unit'), test);
  const right = (pred: number[]) => Uint8Array.from(pred, (l, i) => (l === set.testLabels[i] ? 1 : 0));
  const centre = mean(train);
  const trainC = subtract(train, centre);
  const testC = subtract(test, centre);
  const labelledC = { vectors: trainC, labels: set.trainLabels };
  return {
    nn1: accuracy(nn1, set.testLabels),
    centroid: accuracy(centroid, set.testLabels),
    centroidRaw: accuracy(nearestCentroidPredict(classCentroids(labelled, 'raw'), test), set.testLabels),
    nn1Centred: accuracy(nearestNeighbourPredict(labelledC, testC), set.testLabels),
    centroidCentred: accuracy(nearestCentroidPredict(classCentroids(labelledC, 'unit'), testC), set.testLabels),
    nn1Hits: right(nn1),
    centroidHits: right(centroid),
  };
}

// ---------------------------------------------------------------- timing and cross-check

interface LayerTiming {
  /** Median time of one single-image extract() call of a NodeExtractor cut at the layer. */
  msPerImage: number;
  /** Largest |difference| between NodeExtractor's vector and the one read off the shared forward pass. */
  maxAbsDiff: number;
}

/**
 * Times NodeExtractor at each layer on the same images, one image at a time, the
 * layers interleaved round by round so that load from other processes on the
 * machine spreads over all of them; checks each vector against `reference[layer][image]`.
 */
async function timeLayers(
  config: ModelConfig,
  layers: string[],
  images: RgbImage[],
  reference: Float32Array[][],
): Promise<LayerTiming[]> {
  const registry = new ModelRegistry([config]);
  const extractors: NodeExtractor[] = [];
  try {
    for (const layer of layers) extractors.push(await NodeExtractor.create({ modelId: config.id, layer, registry }));
    for (const ex of extractors) await ex.extract([images[0]!]);
    const times: number[][] = layers.map(() => []);
    const maxAbsDiff = layers.map(() => 0);
    for (let i = 0; i < images.length; i++) {
      for (let k = 0; k < layers.length; k++) {
        const li = (k + i) % layers.length;
        const t0 = performance.now();
        const [f] = await extractors[li]!.extract([images[i]!]);
        times[li]!.push(performance.now() - t0);
        const ref = reference[li]![i]!;
        for (let j = 0; j < ref.length; j++) maxAbsDiff[li] = Math.max(maxAbsDiff[li]!, Math.abs(f![j]! - ref[j]!));
      }
    }
    return layers.map((_, li) => {
      const t = times[li]!.sort((x, y) => x - y);
      return { msPerImage: t[Math.floor(t.length / 2)]!, maxAbsDiff: maxAbsDiff[li]! };
    });
  } finally {
    for (const ex of extractors) ex.dispose();
  }
}

// ---------------------------------------------------------------- main

const NO_FASHION: FashionScores = {
  nn1: NaN,
  centroid: NaN,
  centroidRaw: NaN,
  nn1Centred: NaN,
  centroidCentred: NaN,
  nn1Hits: new Uint8Array(),
  centroidHits: new Uint8Array(),
};

interface LayerResult {
  norm: string;
  layer: string;
  dims: number;
  nearDup: NearDupScores;
  fashion: FashionScores;
  timing?: LayerTiming;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const started = performance.now();
  await initNodeBackend('wasm');
  const base = MOBILENET_V2;
  log(`model ${base.id}; layers ${opts.layers.join(', ')}; normalisations ${opts.norms.join(', ')}; seed ${opts.seed}`);

  const nearDup = await buildNearDupSet(base, opts.seed);
  const fashion = await buildFashionSet(base, opts.fmnistTrain, opts.fmnistTest);
  log(
    `near-duplicate set: ${nearDup.items.length} items, ${nearDup.images.length} images; ` +
      `Fashion-MNIST: ${fashion.train.length} train, ${fashion.test.length} test`,
  );

  const net = await loadMultiLayer(base, opts.layers);
  const results: LayerResult[] = [];
  for (const norm of opts.norms) {
    const config: ModelConfig = { ...base, normalization: NORMALISATIONS[norm]! };
    log(
      `normalisation ${norm} (scale ${config.normalization.scale.toFixed(6)}, offset ${config.normalization.offset})`,
    );
    const nd = await extractAll(net, config, nearDup.images, opts.batch, 'near-duplicate images');
    const tr =
      opts.fmnistTrain > 0 ? await extractAll(net, config, fashion.train, opts.batch, 'Fashion-MNIST train') : [];
    const te = opts.fmnistTest > 0 ? await extractAll(net, config, fashion.test, opts.batch, 'Fashion-MNIST test') : [];
    // Per-layer timing and the cross-check against NodeExtractor, on the first originals.
    const timingImages = await Promise.all(
      nearDup.images
        .filter((_, i) => nearDup.meta[i]!.kind === 'original')
        .slice(0, opts.timingImages)
        .map((s) => s()),
    );
    const timingIdx = nearDup.meta.flatMap((m, i) => (m.kind === 'original' ? [i] : [])).slice(0, opts.timingImages);
    const timings =
      timingImages.length > 0
        ? await timeLayers(
            config,
            net.layers,
            timingImages,
            net.layers.map((_, li) => timingIdx.map((i) => nd[li]![i]!)),
          )
        : [];
    for (let li = 0; li < net.layers.length; li++) {
      const layer = net.layers[li]!;
      const r: LayerResult = {
        norm,
        layer,
        dims: net.dims[li]!,
        nearDup: nearDupScores(nearDup, nd[li]!),
        fashion: tr.length > 0 && te.length > 0 ? fashionScores(fashion, tr[li]!, te[li]!) : NO_FASHION,
      };
      if (timings[li]) r.timing = timings[li];
      results.push(r);
      log(
        `  ${layer}: R@1 ${r.nearDup.recallAt1.toFixed(3)} mAP ${r.nearDup.mAP.toFixed(3)} ` +
          `1-NN ${r.fashion.nn1.toFixed(3)} centroid ${r.fashion.centroid.toFixed(3)}` +
          (r.timing ? ` ${r.timing.msPerImage.toFixed(0)} ms (max diff ${r.timing.maxAbsDiff.toExponential(1)})` : ''),
      );
    }
  }
  net.dispose();

  const pixels =
    opts.fmnistTrain > 0 && opts.fmnistTest > 0
      ? fashionScores(fashion, fashion.trainPixels, fashion.testPixels)
      : NO_FASHION;
  console.log(reportTables(results, pixels, opts.reference));

  const seconds = (performance.now() - started) / 1000;
  log(`done in ${seconds.toFixed(0)} s`);
  if (opts.json) {
    const report = {
      date: new Date().toISOString(),
      machine: {
        cpus: availableParallelism(),
        cpu: cpus()[0]?.model,
        loadAverage: loadavg(),
        node: process.version,
        tfjs: tf.version.tfjs,
        backend: tf.getBackend(),
      },
      options: opts,
      photos: PHOTOS,
      nearDup: { items: nearDup.items.length, images: nearDup.images.length, edits: nearDup.params },
      fashion: {
        trainIndices: `0..${opts.fmnistTrain - 1} of train`,
        testIndices: `0..${opts.fmnistTest - 1} of t10k`,
      },
      seconds,
      pixelsBaseline: pixels,
      results,
    };
    // Per-case outcomes only feed the paired tables; the file keeps the summaries.
    await writeFile(
      opts.json,
      JSON.stringify(report, (key, value) => (value instanceof Uint8Array ? undefined : value), 1),
    );
    log(`wrote ${opts.json}`);
  }
}

const pct = (x: number) => (Number.isNaN(x) ? 'n/a' : (100 * x).toFixed(1));
const versus = (c: PairedComparison) => `+${c.wins} / -${c.losses} (p ${c.p < 0.001 ? '<0.001' : c.p.toFixed(3)})`;

/** The Markdown tables docs/feature-layers.md quotes. */
function reportTables(results: LayerResult[], pixels: FashionScores, reference: string): string {
  const lines: string[] = [];
  lines.push(
    '| norm | layer | dims | near-dup R@1 | near-dup R@5 | near-dup mAP | F-MNIST 1-NN | F-MNIST centroid | ms/image |',
  );
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    lines.push(
      `| ${r.norm} | ${r.layer} | ${r.dims} | ${pct(r.nearDup.recallAt1)} | ${pct(r.nearDup.recallAt5)} | ` +
        `${pct(r.nearDup.mAP)} | ${pct(r.fashion.nn1)} | ${pct(r.fashion.centroid)} | ` +
        `${r.timing ? r.timing.msPerImage.toFixed(0) : ''} |`,
    );
  }
  lines.push(`| (none) | 28x28 pixels | 784 | | | | ${pct(pixels.nn1)} | ${pct(pixels.centroid)} | |`);
  lines.push('');
  lines.push(
    'Fashion-MNIST variants: centroid of the raw (not normalised) vectors; ' +
      '1-NN and centroid after subtracting the training mean.',
  );
  lines.push('');
  lines.push('| norm | layer | centroid of raw vectors | 1-NN centred | centroid centred |');
  lines.push('|---|---|---:|---:|---:|');
  for (const r of results)
    lines.push(
      `| ${r.norm} | ${r.layer} | ${pct(r.fashion.centroidRaw)} | ` +
        `${pct(r.fashion.nn1Centred)} | ${pct(r.fashion.centroidCentred)} |`,
    );
  lines.push('');
  lines.push('Near-duplicate recall@1 by edit:');
  lines.push('');
  lines.push(`| norm | layer | ${TRANSFORMS.join(' | ')} |`);
  lines.push(`|---|---|${TRANSFORMS.map(() => '---:').join('|')}|`);
  for (const r of results)
    lines.push(
      `| ${r.norm} | ${r.layer} | ${TRANSFORMS.map((t) => pct(r.nearDup.recallAt1ByTransform[t]!)).join(' | ')} |`,
    );
  lines.push('');
  const pairs = (title: string, against: (r: LayerResult) => LayerResult | undefined) => {
    const rows = results.flatMap((r) => {
      const b = against(r);
      return b && b !== r ? [[r, b] as const] : [];
    });
    if (rows.length === 0) return;
    lines.push(title);
    lines.push('');
    lines.push('| norm | layer | vs | near-dup R@1 | F-MNIST 1-NN | F-MNIST centroid |');
    lines.push('|---|---|---|---:|---:|---:|');
    for (const [a, b] of rows) {
      const f = a.fashion.nn1Hits.length > 0 && b.fashion.nn1Hits.length > 0;
      lines.push(
        `| ${a.norm} | ${a.layer} | ${b.norm} ${b.layer} | ` +
          `${versus(comparePaired(a.nearDup.hits, b.nearDup.hits))} | ` +
          `${f ? versus(comparePaired(a.fashion.nn1Hits, b.fashion.nn1Hits)) : ''} | ` +
          `${f ? versus(comparePaired(a.fashion.centroidHits, b.fashion.centroidHits)) : ''} |`,
      );
    }
    lines.push('');
  };
  pairs(
    `Case by case against ${reference} ` +
      `(queries or test images right only with the layer / only with ${reference}; exact two-sided sign test):`,
    (r) => results.find((b) => b.norm === r.norm && b.layer === reference),
  );
  const firstNorm = results[0]?.norm;
  pairs(`Case by case against the same layer under the ${firstNorm} normalisation:`, (r) =>
    results.find((b) => b.norm === firstNorm && b.layer === r.layer),
  );
  return lines.join('\n');
}

main().catch((err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
