// One hostile report against a scope's mean, through the real collector over HTTP: a report at the
// old bound (clip + 64σ, or 64 Laplace scales) is refused, and one at the public bound the device
// clamps to moves a mean of 500 honest releases (real mechanism, Web Crypto noise) by at most half a
// standard error of their noise, in the worst direction.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Aggregates } from '../../../collector/group-estimates';
import { calibrateDiscreteGaussian } from '../../../src/privacy/mechanisms/discrete-gaussian';
import { calibrateLaplace } from '../../../src/privacy/mechanisms/laplace';
import {
  cryptoRandomSource,
  prepareVector,
  privatizeVector,
  type VectorMechanismParams,
  type VectorMechanismRecord,
} from '../../../src/privacy/index';
import { startCollector, type TestCollector as Collector } from '../../support/collector';
import type { TaskInput } from '../../../src/report/task';
import { postReport, vectorReport } from './support';

const CASES = [
  [{ name: 'gaussian', epsilon: 16, delta: 1e-6 }, 4],
  [{ name: 'gaussian', epsilon: 1, delta: 1e-6 }, 96],
  [{ name: 'laplace', epsilon: 16 }, 16],
  [{ name: 'laplace', epsilon: 7 }, 4],
] as const;

/** Each case's scope, declared with exactly its parameters: the reports pass the task check and meet the bound. */
const TASKS: TaskInput[] = CASES.map(([params, dims]) => ({
  scope: `poison-${params.name}-${dims}`,
  mechanism: params.name,
  epsilon: params.epsilon,
  ...('delta' in params ? { delta: params.delta } : {}),
  model: { id: 'mobilenet_v2', layer: 'global_average_pooling2d', dims },
}));

let collector: Collector;
before(async () => {
  collector = await startCollector({ port: 0, inMemory: true, tasks: TASKS });
});
after(() => collector?.close());

const N = 500;

/** A report as a client would forge it: a valid envelope around any vector (the device's own checks skipped). */
function forged(vector: number[], scope: string, mechanism: VectorMechanismRecord) {
  return { ...vectorReport(new Array<number>(vector.length).fill(0), scope, mechanism), vector };
}

async function refusal(body: unknown): Promise<{ name: string; message: string }> {
  const res = await postReport(collector.url, body);
  assert.equal(res.status, 400);
  return ((await res.json()) as { error: { name: string; message: string } }).error;
}

async function meanOf(scope: string): Promise<{ count: number; mean: number[] }> {
  const agg = (await (await fetch(`${collector.url}/aggregates?scope=${scope}`)).json()) as Aggregates;
  assert.equal(agg.vectors.length, 1, `${scope}: one group`);
  return agg.vectors[0]!;
}

test('a crafted report at the old bound (clip + 64σ; 64 Laplace scales) is refused by the collector', async () => {
  const dims = 4;
  const x = prepareVector([1, -1, 1, -1], { name: 'gaussian', epsilon: 1, delta: 1e-6 });
  const g = privatizeVector(x, { name: 'gaussian', epsilon: 1, delta: 1e-6 }, cryptoRandomSource).mechanism;
  assert.equal(g.name, 'gaussian');
  if (g.name !== 'gaussian') return;
  // On the grid, within the old limit clip + 64σ, in every coordinate.
  const old = Math.floor((g.clip + 64 * g.sigma) / g.step) * g.step;
  const gError = await refusal(forged(new Array<number>(dims).fill(-old), 'old-bound', g));
  assert.equal(gError.name, 'InvalidReportError');
  assert.match(gError.message, /^invalid report: vector: .* is beyond the Gaussian bound/);

  // Laplace with the bound its record used to carry (largest input + 64t), values at that bound.
  const p = calibrateLaplace(2, dims, 1);
  const l = privatizeVector(x, { name: 'laplace', epsilon: 2 }, cryptoRandomSource).mechanism;
  const oldBound = Math.ceil(1 / p.step) + Math.ceil(64 * p.t);
  assert.ok(oldBound > p.bound);
  const oldRecord = { ...l, bound: oldBound } as VectorMechanismRecord;
  const lError = await refusal(forged(new Array<number>(dims).fill(oldBound * p.step), 'old-bound', oldRecord));
  assert.equal(lError.name, 'InvalidReportError');
  assert.match(lError.message, /^invalid report: mechanism\.bound: expected \d+, got \d+/);
  // With the bound the calibration states, the same values are beyond it.
  const lError2 = await refusal(forged(new Array<number>(dims).fill(oldBound * p.step), 'old-bound', l));
  assert.match(lError2.message, /^invalid report: vector: .* is beyond the Laplace bound/);
  assert.deepEqual(await collector.ids('old-bound'), [], 'nothing stored');
});

/** The noise sd per coordinate and the public bound (vector units) of a vector mechanism's calibration. */
function noiseAndBound(params: VectorMechanismParams, dims: number): { sd: number; bound: number; step: number } {
  if (params.name === 'gaussian') {
    const p = calibrateDiscreteGaussian(params.epsilon, params.delta, dims, params.clip ?? 1);
    return { sd: p.sigma, bound: p.bound * p.step, step: p.step };
  }
  if (params.name !== 'laplace') throw new Error('a grid mechanism');
  const p = calibrateLaplace(params.epsilon, dims, params.clip ?? 1);
  const r = Math.exp(-1 / p.t);
  return { sd: (Math.sqrt(2 * r) / -Math.expm1(-1 / p.t)) * p.step, bound: p.bound * p.step, step: p.step };
}

for (const [params, dims] of CASES) {
  const title = `${params.name} ε=${params.epsilon} d=${dims}: one report at the bound moves a ${N}-report mean ≤ ½ SE`;
  test(title, async () => {
    const scope = `poison-${params.name}-${dims}`;
    // Every coordinate of the true direction the same size: the worst case for a report at ±bound.
    const x = prepareVector(
      Array.from({ length: dims }, (_, i) => (i % 2 ? -1 : 1)),
      params,
    );
    let mechanism: VectorMechanismRecord | undefined;
    for (let i = 0; i < N; i++) {
      const release = privatizeVector(x, params, cryptoRandomSource);
      mechanism = release.mechanism;
      const res = await postReport(collector.url, vectorReport(Array.from(release.vector), scope, release.mechanism));
      assert.equal(res.status, 201);
    }
    const before = await meanOf(scope);
    assert.equal(before.count, N);
    const { sd, bound } = noiseAndBound(params, dims);
    // The crafted report: every coordinate at the bound, against the honest mean.
    const crafted = before.mean.map((m) => (m > 0 ? -bound : bound));
    assert.equal((await postReport(collector.url, forged(crafted, scope, mechanism!))).status, 201);
    const after = await meanOf(scope);
    assert.equal(after.count, N + 1, 'the crafted report is counted');
    let moved = 0;
    for (let j = 0; j < dims; j++) moved += (after.mean[j]! - before.mean[j]!) ** 2;
    const standardError = sd * Math.sqrt(dims / N);
    const inSe = Math.sqrt(moved) / standardError;
    assert.ok(inSe <= 0.5, `one report moved the mean by ${inSe} standard errors`);
    // And it did move it: the report is at the bound, not an honest-looking one.
    assert.ok(inSe > 0.15, `moved by ${inSe}`);
    // One step beyond the bound is refused.
    const beyond = crafted.map((v) => v + Math.sign(v) * noiseAndBound(params, dims).step);
    assert.match((await refusal(forged(beyond, scope, mechanism!))).message, /beyond the (Gaussian|Laplace) bound/);
  });
}
