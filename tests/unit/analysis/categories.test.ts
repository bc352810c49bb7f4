// The category comparisons of src/analysis against simulation: k-RR and OUE reports released by
// the privacy core from known shares. Each assertion allows Z_CRIT (5.73) binomial standard
// errors, so a correct implementation fails one with probability below 1e-8; seeds fix the runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareFrequencies } from '../../../src/analysis/index';
import { krrProbabilities, oueProbabilities, type CategoryMechanismParams } from '../../../src/privacy/index';
import { Z_CRIT } from '../../support/stats';
import { categoryCounts, seededSource } from './simulate';

const SHARES_A = [0.4, 0.3, 0.2, 0.1];
const SHARES_B = [0.1, 0.2, 0.3, 0.4];

/**
 * A rate of `trials` runs within Z_CRIT binomial standard errors of p. Rates pooled over the k
 * categories of one run are not independent trials, so only the runs count: conservative.
 */
function near(hits: number, trials: number, runs: number, p: number, what: string): void {
  const tolerance = Z_CRIT * Math.sqrt((p * (1 - p)) / runs);
  const rate = hits / trials;
  assert.ok(Math.abs(rate - p) <= tolerance, `${what}: ${rate} vs ${p} ± ${tolerance}`);
}

// Against the reversed shares the tests' power is about 0.5 (k-RR) and 0.3 (OUE) at n = 150, ε = 1:
// asserting more than 0.2 shows they answer the alternative, far beyond their 0.05 level.
function simulate(params: CategoryMechanismParams, seed: number, runs: number, n: number) {
  const { p, q } =
    params.name === 'krr' ? krrProbabilities(params.epsilon, params.k) : oueProbabilities(params.epsilon);
  const source = seededSource(seed);
  const totals = (shares: number[]) => ({ count: n, counts: categoryCounts(shares, n, params, source), p, q });
  let covered = 0;
  let sizeZ = 0;
  let sizeOverall = 0;
  let power = 0;
  let df = -1;
  for (let r = 0; r < runs; r++) {
    const a = totals(SHARES_A);
    const b = totals(SHARES_B);
    const h1 = compareFrequencies(a, b, params.name);
    h1.differences.forEach((d, v) => {
      const truth = SHARES_A[v]! - SHARES_B[v]!;
      covered += Number(d.ci95[0] <= truth && truth <= d.ci95[1]);
    });
    power += Number(h1.test.pValue < 0.05);
    const h0 = compareFrequencies(a, totals(SHARES_A), params.name);
    sizeZ += h0.differences.filter((d) => d.pValue < 0.05).length;
    sizeOverall += Number(h0.test.pValue < 0.05);
    df = h0.test.df;
  }
  return { covered, sizeZ, sizeOverall, power, df };
}

test('k-RR: difference intervals cover at 95%, the z-tests and the χ² homogeneity test hold their level', () => {
  const runs = 600;
  const s = simulate({ name: 'krr', epsilon: 1, k: 4 }, 21, runs, 150);
  assert.equal(s.df, 3);
  near(s.covered, runs * 4, runs, 0.95, 'coverage of f_A − f_B');
  near(s.sizeZ, runs * 4, runs, 0.05, 'size of the per-category z-tests');
  near(s.sizeOverall, runs, runs, 0.05, 'size of the homogeneity test');
  assert.ok(s.power > runs * 0.2, `the homogeneity test rejects different shares in ${s.power} of ${runs} runs`);
});

test('OUE: difference intervals cover at 95%, the z-tests and the pooled-bits Wald test hold their level', () => {
  const runs = 400;
  const s = simulate({ name: 'oue', epsilon: 1, k: 4 }, 22, runs, 150);
  assert.equal(s.df, 4);
  near(s.covered, runs * 4, runs, 0.95, 'coverage of f_A − f_B');
  near(s.sizeZ, runs * 4, runs, 0.05, 'size of the per-category z-tests');
  near(s.sizeOverall, runs, runs, 0.05, 'size of the Wald test');
  assert.ok(s.power > runs * 0.2, `the Wald test rejects different shares in ${s.power} of ${runs} runs`);
});

test('frequency comparisons refuse mismatched inputs by name', () => {
  const { p, q } = krrProbabilities(1, 3);
  const a = { count: 10, counts: [5, 3, 2], p, q };
  assert.throws(() => compareFrequencies(a, { ...a, counts: [5, 5] }, 'krr'), { name: 'InvalidParameterError' });
  assert.throws(() => compareFrequencies(a, { ...a, p: 0.9 }, 'krr'), { name: 'InvalidParameterError' });
  assert.throws(() => compareFrequencies(a, { ...a, count: 0, counts: [0, 0, 0] }, 'krr'), /count/);
});
