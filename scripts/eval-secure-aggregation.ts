// npm run eval:secure-aggregation — utility of aggregate-only release (Prio3 + distributed
// Skellam noise) against local DP on real features: the first 1000 Fashion-MNIST training
// images through the default model in Node, d = 96 and the public projection to 16, ε = 1, 2, 4.
// Writes docs/secure-aggregation.md and docs/secure-aggregation.json (one object per setting).
//
// The MSE columns run the mechanism math (prepare, quantise, Skellam shares, clamp, sum,
// de-offset) for all 1000 reports, repeated; sharding 6000 reports with Prio3 would take
// about half an hour here, so Prio3 runs end to end on a subset instead, through real
// aggregators on loopback, and its result is checked to equal the math exactly.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NodeExtractor } from '../src/engine/node/node-extractor';
import { cryptoRandomSource, expectedMse, prepareVector, privatizeVector } from '../src/privacy/index';
import { planAggregate, type AggregatePlan } from '../src/privacy/aggregate/plan';
import { noisyQuantisedVector, prepareForAggregate } from '../src/privacy/aggregate/noisy-vector';
import { estimateFromSum, expectedAggregateMse } from '../src/privacy/aggregate/estimate';
import type { Projection } from '../src/privacy/vector/projection';
import { projectionFor } from '../src/report/privatize-features';
import { centroidAccuracy, fashionFeatures, meanOf, sqDist } from './fashion-mnist-features';
import { endToEnd, type EndToEnd } from './secure-aggregation/end-to-end';
import { renderMarkdown } from './secure-aggregation/report';

const N = 1000;
const N_TEST = Number(process.env['EVAL_TEST'] ?? 500);
const EPSILONS = [1, 2, 4];
const DELTA = 1e-6;
const PROJECTED_DIMS = 16;
const REPEATS = Number(process.env['EVAL_REPEATS'] ?? 20);
const END_TO_END_REPORTS = Number(process.env['EVAL_E2E'] ?? 40);

export interface Setting {
  d: number;
  epsilon: number;
  delta: number;
  n: number;
  /** Measured ‖mean of n PrivUnit reports − clean mean‖², averaged over the repeats. */
  mseLdp: number;
  /** Measured ‖aggregate-only mean estimate − clean mean‖², averaged over the repeats. */
  mseAggregateOnly: number;
  projection: string;
  repeats: number;
  mseLdpExpected: number;
  mseLdpGaussianExpected: number;
  mseAggregateOnlyExpected: number;
  ratioMeasured: number;
  ratioExpected: number;
  nMin: number;
  scale: number;
  bits: number;
  mu: number;
  centralEpsilon: number;
  localEpsilon: number;
  localDelta: number;
  accuracyClean: number;
  accuracyLdp: number;
  accuracyAggregateOnly: number;
  classBatchNMin: number;
  prio3EndToEnd?: EndToEnd;
}

function aggregateMean(plan: AggregatePlan, prepared: readonly Float64Array[]): Float64Array {
  const sum = new Array<number>(plan.dims).fill(0);
  for (const x of prepared) noisyQuantisedVector(x, plan, cryptoRandomSource).forEach((v, i) => (sum[i]! += v));
  return estimateFromSum(sum, prepared.length, plan).mean;
}

function byClass<T>(items: readonly T[], labels: ArrayLike<number>): T[][] {
  const out: T[][] = Array.from({ length: 10 }, () => []);
  items.forEach((x, i) => out[labels[i]!]!.push(x));
  return out;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const extractor = await NodeExtractor.create();
  const train = await fashionFeatures(extractor, 'train', N);
  const test = await fashionFeatures(extractor, 't10k', N_TEST);
  const featureSeconds = (performance.now() - t0) / 1000;
  const inputDims = extractor.model.dims;
  extractor.dispose();
  const classSizes = byClass(train.vectors, train.labels).map((c) => c.length);
  const classNMin = Math.min(...classSizes);
  const settings: Setting[] = [];

  for (const projection of [undefined, projectionFor(inputDims, PROJECTED_DIMS)] as (Projection | undefined)[]) {
    const d = projection ? PROJECTED_DIMS : inputDims;
    for (const epsilon of EPSILONS) {
      const privunit = { name: 'privunit', epsilon } as const;
      const plan = planAggregate({ epsilon, delta: DELTA, nMin: N, dims: d });
      const classPlan = planAggregate({ epsilon, delta: DELTA, nMin: classNMin, dims: d });
      const unit = train.vectors.map((v) => prepareVector(v, privunit, projection));
      const clipped = train.vectors.map((v) => prepareForAggregate(v, plan, projection));
      const unitMean = meanOf(unit);
      const clippedMean = meanOf(clipped);
      let mseLdp = 0;
      let mseAgg = 0;
      let accLdp = 0;
      let accAgg = 0;
      const unitClasses = byClass(unit, train.labels);
      const clippedClasses = byClass(clipped, train.labels);
      const testUnit = test.vectors.map((v) => prepareVector(v, privunit, projection));
      const testClipped = test.vectors.map((v) => prepareForAggregate(v, plan, projection));
      for (let r = 0; r < REPEATS; r++) {
        const reports = unit.map((x) => privatizeVector(x, privunit, cryptoRandomSource).vector);
        mseLdp += sqDist(meanOf(reports), unitMean) / REPEATS;
        mseAgg += sqDist(aggregateMean(plan, clipped), clippedMean) / REPEATS;
        accLdp += centroidAccuracy(byClass(reports, train.labels).map(meanOf), testUnit, test.labels) / REPEATS;
        accAgg +=
          centroidAccuracy(
            clippedClasses.map((c) => aggregateMean(classPlan, c)),
            testClipped,
            test.labels,
          ) / REPEATS;
      }
      const expectedLdp = expectedMse(privunit, d) / N;
      const agg = expectedAggregateMse(plan, N);
      const setting: Setting = {
        d,
        epsilon,
        delta: DELTA,
        n: N,
        mseLdp,
        mseAggregateOnly: mseAgg,
        projection: projection?.id ?? 'none',
        repeats: REPEATS,
        mseLdpExpected: expectedLdp,
        mseLdpGaussianExpected: expectedMse({ name: 'gaussian', epsilon, delta: DELTA }, d) / N,
        mseAggregateOnlyExpected: agg.noise + agg.roundingBound,
        ratioMeasured: mseLdp / mseAgg,
        ratioExpected: expectedLdp / (agg.noise + agg.roundingBound),
        nMin: N,
        scale: plan.scale,
        bits: plan.bits,
        mu: plan.mu,
        centralEpsilon: plan.central.epsilon,
        localEpsilon: plan.local.epsilon,
        localDelta: plan.local.delta,
        accuracyClean: centroidAccuracy(unitClasses.map(meanOf), testUnit, test.labels),
        accuracyLdp: accLdp,
        accuracyAggregateOnly: accAgg,
        classBatchNMin: classNMin,
      };
      if (!projection && epsilon === EPSILONS[0]) {
        const subsetPlan = planAggregate({ epsilon, delta: DELTA, nMin: END_TO_END_REPORTS, dims: d });
        setting.prio3EndToEnd = await endToEnd(subsetPlan, clipped.slice(0, END_TO_END_REPORTS));
        if (!setting.prio3EndToEnd.exact)
          throw new Error(`Prio3 end to end differs: ${JSON.stringify(setting.prio3EndToEnd)}`);
      }
      settings.push(setting);
      process.stderr.write(
        `d=${d} ε=${epsilon}: LDP ${mseLdp.toExponential(3)} aggregate ${mseAgg.toExponential(3)} ` +
          `ratio ${(mseLdp / mseAgg).toFixed(0)} (expected ${setting.ratioExpected.toFixed(0)})\n`,
      );
    }
  }
  const markdown = renderMarkdown(settings, { featureSeconds, nTest: N_TEST, classSizes });
  await writeFile(join('docs', 'secure-aggregation.json'), JSON.stringify(settings, null, 1) + '\n');
  await writeFile(join('docs', 'secure-aggregation.md'), markdown);
  console.log(markdown);
}

await main();
