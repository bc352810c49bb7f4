/**
 * Rebuilds the demo codebook "fashion-10" from Debian's Fashion-MNIST (dataset-fashion-mnist)
 * with the default model (`npm run build:codebook`). The codebook is committed with its
 * provenance (data/codebooks/fashion-10.provenance.json), which install and build check
 * (scripts/check-codebooks.ts) instead of rebuilding it.
 *
 *   node --import tsx scripts/build-codebook.ts [--per-class 100] [--out public/codebooks/fashion-10.json]
 *                                               [--test N] [--force]
 *
 * `--test N` also labels the first N test images on the device and prints the accuracy.
 * Without the dataset it says so and exits 1, leaving the committed codebook as it is.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { assignLabel } from '../src/codebook/assign-label';
import { buildCodebook } from '../src/codebook/build-codebook';
import { formatCodebook } from '../src/codebook/load-codebook';
import { decodeImageBytes, type RgbImage } from '../src/engine/node/decode-file';
import { NODE_MODEL_ROOT, NodeExtractor } from '../src/engine/node/node-extractor';
import { FASHION_MNIST_CLASSES } from '../eval/fashion-classes';
import { idxImageAt, readIdxImages, readIdxLabels, type IdxImages } from '../eval/idx';

const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATASET = process.env['OBSCURA_FASHION_MNIST_DIR'] ?? '/usr/share/datasets/fashion-mnist';
/** The dataset's own class names, in the order of its label bytes. */
export const FASHION_LABELS = FASHION_MNIST_CLASSES;

const { values } = parseArgs({
  options: {
    'per-class': { type: 'string', default: '100' },
    out: { type: 'string', default: join(PROJECT, 'public', 'codebooks', 'fashion-10.json') },
    test: { type: 'string', default: '0' },
    force: { type: 'boolean', default: false },
  },
});
const perClass = Number(values['per-class']);
const testCount = Number(values.test);
const out = resolve(values.out);
const modelJson = join(NODE_MODEL_ROOT, 'models', 'mobilenet_v2', 'model.json');
const file = (name: string) => join(DATASET, name);

function upToDate(): boolean {
  if (!existsSync(out) || !existsSync(modelJson)) return false;
  const built = statSync(out).mtimeMs;
  const codebookSources = readdirSync(join(PROJECT, 'src', 'codebook')).map((f) => join(PROJECT, 'src', 'codebook', f));
  const inputs = [modelJson, fileURLToPath(import.meta.url), file('train-images-idx3-ubyte.gz'), ...codebookSources];
  return inputs.every((p) => !existsSync(p) || statSync(p).mtimeMs <= built);
}

/** A 28x28 grey image, read like any image file a person would give: PNG, then the model's decoder. */
async function decodeGrey(images: IdxImages, index: number, config: NodeExtractor['config']): Promise<RgbImage> {
  const grey = Buffer.from(idxImageAt(images, index));
  const png = await sharp(grey, { raw: { width: images.cols, height: images.rows, channels: 1 } })
    .png()
    .toBuffer();
  return decodeImageBytes(png, config, `Fashion-MNIST image ${index}`);
}

async function features(extractor: NodeExtractor, images: IdxImages, indexes: number[], what: string) {
  const vectors: Float32Array[] = [];
  const started = performance.now();
  for (let i = 0; i < indexes.length; i += 8) {
    const batch = await Promise.all(indexes.slice(i, i + 8).map((n) => decodeGrey(images, n, extractor.config)));
    vectors.push(...(await extractor.extract(batch)));
    if ((i / 8) % 25 === 0 || i + 8 >= indexes.length)
      process.stderr.write(`codebook: ${what} ${Math.min(i + 8, indexes.length)}/${indexes.length}\n`);
  }
  return { vectors, seconds: (performance.now() - started) / 1000 };
}

/** The first `perClass` images of each class, in file order. */
function firstOfEachClass(labels: Uint8Array, perClass: number): number[] {
  const taken = new Array<number>(FASHION_LABELS.length).fill(0);
  const picked: number[] = [];
  for (let i = 0; i < labels.length && picked.length < perClass * FASHION_LABELS.length; i++) {
    if (taken[labels[i]!]! < perClass) {
      taken[labels[i]!]!++;
      picked.push(i);
    }
  }
  return picked;
}

async function main(): Promise<void> {
  if (!Number.isInteger(perClass) || perClass < 1 || perClass > 6000)
    throw new Error(`--per-class must be an integer from 1 to 6000, got ${values['per-class']}`);
  if (!Number.isInteger(testCount) || testCount < 0 || testCount > 10000)
    throw new Error(`--test must be an integer from 0 to 10000, got ${values.test}`);
  if (!existsSync(file('train-images-idx3-ubyte.gz'))) {
    console.error(
      `codebook: FAILED: ${DATASET} not found: rebuilding needs Debian's dataset-fashion-mnist ` +
        `(or OBSCURA_FASHION_MNIST_DIR); ${relative(PROJECT, out)} is left as it is`,
    );
    process.exit(1);
  }
  if (testCount === 0 && !values.force && upToDate()) {
    console.error(`codebook: ${relative(PROJECT, out)} is up to date`);
    return;
  }
  const extractor = await NodeExtractor.create({ backend: 'wasm' });
  try {
    const [images, labels] = await Promise.all([
      readIdxImages(file('train-images-idx3-ubyte.gz')),
      readIdxLabels(file('train-labels-idx1-ubyte.gz')),
    ]);
    const picked = firstOfEachClass(labels, perClass);
    const train = await features(extractor, images, picked, 'training images');
    const codebook = await buildCodebook(
      {
        id: 'fashion-10',
        model: extractor.model,
        labels: FASHION_LABELS,
        classifier: 'linear',
        description:
          `Demo codebook: the ten Fashion-MNIST classes. Multinomial logistic regression on the ` +
          `L2-normalised ${extractor.model.layer} features of the first ${perClass} training images of each class.`,
      },
      train.vectors,
      picked.map((i) => labels[i]!),
    );
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, formatCodebook(codebook));
    console.error(
      `codebook: wrote ${relative(PROJECT, out)} (${codebook.hash.slice(0, 19)}…) from ${picked.length} images ` +
        `in ${train.seconds.toFixed(0)} s (${((1000 * train.seconds) / picked.length).toFixed(0)} ms an image)`,
    );
    const provenance = join(PROJECT, 'data', 'codebooks', 'fashion-10.provenance.json');
    const stated = (JSON.parse(readFileSync(provenance, 'utf8')) as { hash: string }).hash;
    console.error(
      stated === codebook.hash
        ? `codebook: the hash is the one ${relative(PROJECT, provenance)} states`
        : `codebook: the hash differs from ${stated} in ${relative(PROJECT, provenance)}: update it with the codebook`,
    );
    if (testCount > 0) {
      const [testImages, testLabels] = await Promise.all([
        readIdxImages(file('t10k-images-idx3-ubyte.gz')),
        readIdxLabels(file('t10k-labels-idx1-ubyte.gz')),
      ]);
      const indexes = Array.from({ length: testCount }, (_, i) => i);
      const test = await features(extractor, testImages, indexes, 'test images');
      const right = test.vectors.filter((v, i) => assignLabel(codebook, v).value === testLabels[i]).length;
      console.log(
        JSON.stringify({
          codebook: codebook.id,
          hash: codebook.hash,
          trainImages: picked.length,
          testImages: testCount,
          accuracy: right / testCount,
          trainSeconds: Math.round(train.seconds),
        }),
      );
    }
  } finally {
    extractor.dispose();
  }
}

main().catch((err: unknown) => {
  console.error(`codebook: ${(err as Error).message}`);
  process.exit(1);
});
