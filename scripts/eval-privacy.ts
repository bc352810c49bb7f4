// npm run eval:privacy — utility of the LDP mechanisms on real features: Fashion-MNIST
// images (Debian dataset-fashion-mnist) through the default model in Node, then
// PrivUnit vs Gaussian vs Laplace at several ε, with and without the public
// projection. Writes docs/privacy-utility.md (tables) and docs/privacy-utility.svg.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FASHION_MNIST_CLASSES } from '../eval/fashion-classes';
import { centroidAccuracy, fashionFeatures, meanOf, sqDist } from './fashion-mnist-features';
import { NodeExtractor } from '../src/engine/node/node-extractor';
import {
  cryptoRandomSource,
  expectedMse,
  prepareVector,
  privatizeVector,
  type VectorMechanismParams,
} from '../src/privacy/index';
import { projectionFor } from '../src/report/privatize-features';
import { renderUtilitySvg } from './eval-privacy-plot';

const EPSILONS = [0.5, 1, 2, 4, 8];
const N_TRAIN = Number(process.env['EVAL_TRAIN'] ?? 2000);
const N_TEST = Number(process.env['EVAL_TEST'] ?? 1000);
const SIZES = [250, 1000, N_TRAIN];
const PROJECTED_DIMS = 16;
/** Reports per vector for the per-report MSE, so its sampling error is far below the 2 % target. */
const MSE_REPEATS = 20;

type Row = {
  mechanism: string;
  projection: string;
  epsilon: number;
  d: number;
  mseMeasured: number;
  mseExpected: number;
  meanError: Record<number, number>;
  accuracy: Record<number, number>;
};

/** Nearest-centroid accuracy of the class sums of `reports` (scale does not change a cosine). */
function reportsCentroidAccuracy(
  reports: readonly Float64Array[],
  labels: ArrayLike<number>,
  test: readonly Float64Array[],
  testLabels: ArrayLike<number>,
): number {
  const sums = Array.from({ length: 10 }, () => new Float64Array(test[0]!.length));
  reports.forEach((r, i) => {
    const s = sums[labels[i]!]!;
    for (let j = 0; j < s.length; j++) s[j]! += r[j]!;
  });
  return centroidAccuracy(sums, test, testLabels);
}

async function main(): Promise<void> {
  const extractor = await NodeExtractor.create();
  const t0 = performance.now();
  const { vectors: trainClean, labels: trainLabels } = await fashionFeatures(extractor, 'train', N_TRAIN);
  const { vectors: testClean, labels: testLabels } = await fashionFeatures(extractor, 't10k', N_TEST);
  const featureSeconds = (performance.now() - t0) / 1000;
  const d = extractor.model.dims;
  const rows: Row[] = [];
  const cleanAccuracy: Record<string, number> = {};

  for (const projected of [false, true]) {
    const projection = projected ? projectionFor(d, PROJECTED_DIMS) : undefined;
    const label = projection ? `${projection.id}` : 'none';
    const dims = projection ? PROJECTED_DIMS : d;
    for (const epsilon of EPSILONS) {
      for (const mechanism of [
        { name: 'privunit', epsilon },
        { name: 'gaussian', epsilon, delta: 1e-6 },
        { name: 'laplace', epsilon },
      ] as VectorMechanismParams[]) {
        const train = trainClean.map((v) => prepareVector(v, mechanism, projection));
        const test = testClean.map((v) => prepareVector(v, mechanism, projection));
        cleanAccuracy[`${mechanism.name === 'privunit' ? 'unit' : 'clipped'}/${label}`] ??= reportsCentroidAccuracy(
          train,
          trainLabels,
          test,
          testLabels,
        );
        let mse = 0;
        for (let rep = 0; rep < MSE_REPEATS; rep++) {
          for (const x of train)
            mse += sqDist(privatizeVector(x, mechanism, cryptoRandomSource).vector, x) / (MSE_REPEATS * train.length);
        }
        const reports = train.map((x) => privatizeVector(x, mechanism, cryptoRandomSource).vector);
        const meanError: Record<number, number> = {};
        const accuracy: Record<number, number> = {};
        for (const n of SIZES) {
          meanError[n] = sqDist(meanOf(reports.slice(0, n)), meanOf(train.slice(0, n)));
          accuracy[n] = reportsCentroidAccuracy(reports.slice(0, n), trainLabels, test, testLabels);
        }
        rows.push({
          mechanism: mechanism.name,
          projection: label,
          epsilon,
          d: dims,
          mseMeasured: mse,
          mseExpected: expectedMse(mechanism, dims),
          meanError,
          accuracy,
        });
        process.stderr.write(
          `${mechanism.name} ε=${epsilon} ${label}: MSE ${mse.toFixed(2)} ` +
            `(expected ${expectedMse(mechanism, dims).toFixed(2)})\n`,
        );
      }
    }
  }
  await writeFile(join('docs', 'privacy-utility.md'), renderMarkdown(rows, cleanAccuracy, d, featureSeconds));
  await writeFile(join('docs', 'privacy-utility.svg'), renderUtilitySvg(rows));
  await writeFile(
    join('docs', 'privacy-utility.json'),
    JSON.stringify({ model: extractor.model, nTrain: N_TRAIN, nTest: N_TEST, rows, cleanAccuracy }, null, 1),
  );
  extractor.dispose();
  console.log(renderMarkdown(rows, cleanAccuracy, d, featureSeconds));
}

function renderMarkdown(rows: Row[], clean: Record<string, number>, d: number, featureSeconds: number): string {
  const f = (x: number, digits = 2) => (x >= 1000 ? x.toFixed(0) : x.toPrecision(3 + (digits > 2 ? 1 : 0)));
  const lines = [
    '# Utility of the privacy mechanisms on real features',
    '',
    'Made by `npm run eval:privacy` (scripts/eval-privacy.ts). ' +
      `Features: the default model (${d}-d, \`block_12_add\`) on the first ${N_TRAIN} training ` +
      `and ${N_TEST} test images of Fashion-MNIST ` +
      `(${FASHION_MNIST_CLASSES.length} classes; ${featureSeconds.toFixed(0)} s to extract on WASM in Node). ` +
      'Vectors are L2-normalised (PrivUnit) or clipped to norm 1 (Gaussian δ = 1e-6, Laplace), ' +
      `optionally after the public projection to ${PROJECTED_DIMS} dimensions. ` +
      "Each report is the mechanism's unbiased estimate; all randomness from crypto.getRandomValues.",
    '',
    '- **MSE**: mean ‖report − x‖² over ' +
      `${MSE_REPEATS} reports of each of the ${N_TRAIN} training vectors, next to the mechanism's \`expectedMse\`.`,
    '- **mean error**: ‖mean of n reports − mean of the n true vectors‖².',
    '- **centroid acc.**: nearest-class-centroid accuracy on the test set, ' +
      'centroids estimated from n privatized reports (clean centroids: ' +
      Object.entries(clean)
        .map(([k, v]) => `${k} ${(100 * v).toFixed(1)} %`)
        .join(', ') +
      ').',
    '',
    ...findings(rows, clean),
  ];
  for (const projection of [...new Set(rows.map((r) => r.projection))]) {
    lines.push(
      `## Projection: ${projection}`,
      '',
      '| mechanism | ε | d | MSE measured | MSE expected | measured/expected | Gaussian/this MSE | ' +
        `${SIZES.map((n) => `mean error n=${n}`).join(' | ')} | ` +
        `${SIZES.map((n) => `centroid acc. n=${n}`).join(' | ')} |`,
      `|${'---|'.repeat(7 + 2 * SIZES.length)}`,
    );
    for (const r of rows.filter((x) => x.projection === projection)) {
      const gauss = rows.find(
        (x) => x.projection === projection && x.epsilon === r.epsilon && x.mechanism === 'gaussian',
      )!;
      lines.push(
        `| ${r.mechanism} | ${r.epsilon} | ${r.d} | ${f(r.mseMeasured)} | ${f(r.mseExpected)} | ` +
          `${(r.mseMeasured / r.mseExpected).toFixed(4)} | ${(gauss.mseMeasured / r.mseMeasured).toFixed(1)} | ` +
          `${SIZES.map((n) => f(r.meanError[n]!)).join(' | ')} | ` +
          `${SIZES.map((n) => `${(100 * r.accuracy[n]!).toFixed(1)} %`).join(' | ')} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

function findings(rows: Row[], clean: Record<string, number>): string[] {
  const pu = rows.filter((r) => r.mechanism === 'privunit');
  const worst = Math.max(...pu.map((r) => Math.abs(r.mseMeasured / r.mseExpected - 1)));
  const ratios = pu.map(
    (r) =>
      rows.find((x) => x.mechanism === 'gaussian' && x.epsilon === r.epsilon && x.projection === r.projection)!
        .mseMeasured / r.mseMeasured,
  );
  const best = Math.max(...pu.filter((r) => r.projection === 'none').map((r) => r.accuracy[N_TRAIN]!));
  return [
    '## Findings',
    '',
    `- PrivUnit's measured per-report MSE is within ${(100 * worst).toFixed(2)} % of \`expectedMse\`, ` +
      'the smallest MSE PrivUnit can reach at that (ε, d) ' +
      '(its parameters are optimised per (ε, d); tests/unit/privacy/privunit.test.ts checks no other γ does better).',
    `- The Gaussian mechanism (δ = 1e-6) has ${Math.min(...ratios).toFixed(1)}–${Math.max(...ratios).toFixed(1)}x ` +
      "PrivUnit's MSE at equal ε; the grid Laplace mechanism is worse still, as its L1 sensitivity grows with √d.",
    `- With ${N_TRAIN} reports, class centroids estimated from PrivUnit reports classify ` +
      `${(100 * best).toFixed(0)} % of the test images correctly at best ` +
      `(clean centroids: ${(100 * clean['unit/none']!).toFixed(0)} %); ` +
      'at ε ≤ 2 they need far more reports than this, which is the price of local DP.',
    '',
  ];
}

await main();
