// The sample-size calculator against simulation: at the calculated n per group, reports released
// by the privacy core's k-RR, OUE and PrivUnit, compared by the collector's tests, reach the target
// power. "Within 15%" is checked on n: the empirical power must lie between the power the theory
// gives at 0.85·n and at 1.15·n, widened by Z_CRIT (5.73) binomial standard errors of the
// simulation, so a correct calculator fails with probability below 1e-8; seeds fix the runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareFrequencies, compareMeans, normalCdf, normalQuantile, sampleSize } from '../../../src/analysis/index';
import { expectedMse, krrProbabilities, oueProbabilities, prepareVector } from '../../../src/privacy/index';
import { Z_CRIT } from '../../support/stats';
import { categoryCounts, seededSource, vectorTotals, type Population } from './simulate';
import { waldPower } from '../../support/reference-math';

const ALPHA = 0.05;
const POWER = 0.8;

function withinBand(rejected: number, runs: number, n: number, power: (m: number) => number, what: string): void {
  const tolerance = Z_CRIT * Math.sqrt((POWER * (1 - POWER)) / runs);
  const lo = power(0.85 * n) - tolerance;
  const hi = power(1.15 * n) + tolerance;
  const rate = rejected / runs;
  assert.ok(rate >= lo && rate <= hi, `${what}: power ${rate} at n = ${n}, expected in [${lo}, ${hi}]`);
}

for (const [mechanism, epsilon, k, p1, p2, runs] of [
  ['krr', 2, 4, 0.4, 0.15, 1500],
  ['oue', 2, 6, 0.6, 0.25, 1200],
] as const) {
  test(`${mechanism} at ε = ${epsilon}, k = ${k}: share ${p1} vs ${p2} detected at the calculated n`, () => {
    const { perGroup: n } = sampleSize({
      question: 'category',
      mechanism,
      epsilon,
      k,
      p1,
      p2,
      alpha: ALPHA,
      power: POWER,
    });
    const { p, q } = mechanism === 'krr' ? krrProbabilities(epsilon, k) : oueProbabilities(epsilon);
    const shares = (f: number) => [f, ...new Array<number>(k - 1).fill((1 - f) / (k - 1))];
    const params = { name: mechanism, epsilon, k };
    const source = seededSource(31);
    let rejected = 0;
    for (let r = 0; r < runs; r++) {
      const a = { count: n, counts: categoryCounts(shares(p1), n, params, source), p, q };
      const b = { count: n, counts: categoryCounts(shares(p2), n, params, source), p, q };
      rejected += Number(compareFrequencies(a, b, mechanism).differences[0]!.pValue < ALPHA);
    }
    const variance = (f: number) => ((f * p + (1 - f) * q) * (1 - f * p - (1 - f) * q)) / (p - q) ** 2;
    const z = normalQuantile(1 - ALPHA / 2);
    const power = (m: number) => normalCdf(Math.abs(p1 - p2) * Math.sqrt(m / (variance(p1) + variance(p2))) - z);
    withinBand(rejected, runs, n, power, `${mechanism}`);
  });
}

test('PrivUnit at ε = 4, d = 4: a mean difference of length 0.8 is detected with power 0.8 at the calculated n', () => {
  const epsilon = 4;
  const d = 4;
  const effect = 0.8;
  const params = { name: 'privunit', epsilon } as const;
  const { perGroup: n } = sampleSize({
    question: 'mean',
    mechanism: 'privunit',
    epsilon,
    dims: d,
    effect,
    alpha: ALPHA,
    power: POWER,
  });
  // People hold ±e_j; the signs lean so that the means are ±(effect/2)·(1, …, 1)/√d: the data's
  // spread is the same on every coordinate, as the calculator assumes of the noise.
  const lean = (effect * Math.sqrt(d)) / 2;
  const people = (sign: number): Population => ({
    atoms: Array.from({ length: 2 * d }, (_, i) =>
      prepareVector(
        Float64Array.from({ length: d }, (_, j) => (j === i % d ? (i < d ? 1 : -1) : 0)),
        params,
      ),
    ),
    weights: Array.from({ length: 2 * d }, (_, i) => (1 + (i < d ? sign : -sign) * lean) / (2 * d)),
  });
  const A = people(1);
  const B = people(-1);
  const source = seededSource(33);
  const runs = 1000;
  let rejected = 0;
  for (let r = 0; r < runs; r++)
    rejected += Number(
      compareMeans(vectorTotals(A, n, params, source), vectorTotals(B, n, params, source)).test.pValue < ALPHA,
    );
  // The theory's power at m per group: noncentral χ²_d with λ = mΔ²/(2σ²), σ² the per-coordinate variance.
  const sigma2 = (expectedMse(params, d) + 1 - (effect / 2) ** 2) / d;
  const power = (m: number) => waldPower(d, ALPHA, (m * effect * effect) / (2 * sigma2));
  withinBand(rejected, runs, n, power, 'PrivUnit');
});

test('bad questions are refused naming the parameter', () => {
  const base = {
    question: 'category',
    mechanism: 'krr',
    epsilon: 1,
    k: 4,
    p1: 0.2,
    p2: 0.3,
    alpha: 0.05,
    power: 0.8,
  } as const;
  assert.throws(() => sampleSize({ ...base, p2: 0.2 }), /p2/);
  assert.throws(() => sampleSize({ ...base, k: 1 }), /k/);
  assert.throws(() => sampleSize({ ...base, epsilon: 100 }), /epsilon/);
  assert.throws(() => sampleSize({ ...base, power: 0.01 }), /power/);
  const mean = {
    question: 'mean',
    mechanism: 'privunit',
    epsilon: 1,
    dims: 16,
    effect: 0.5,
    alpha: 0.05,
    power: 0.8,
  } as const;
  assert.throws(() => sampleSize({ ...mean, effect: 3 }), /effect/);
  assert.throws(() => sampleSize({ ...mean, effect: 1e-200 }), /effect/);
  assert.throws(() => sampleSize({ ...base, p1: 0.5, p2: 0.5 + 1e-15 }), /p2/);
  assert.throws(() => sampleSize({ ...mean, mechanism: 'gaussian' }), /delta/);
  // More power or a smaller effect costs reports.
  assert.ok(sampleSize({ ...mean, power: 0.9 }).perGroup > sampleSize(mean).perGroup);
  assert.ok(sampleSize({ ...mean, effect: 0.25 }).perGroup > sampleSize(mean).perGroup);
});
