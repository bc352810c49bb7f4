// The collector's aggregates, without HTTP: exact means and errors on known vectors,
// and unbiased frequencies on simulated k-RR / OUE data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimatesOf } from './recompute';
import { expectedMse } from '../../../src/privacy/index';
import { ALPHA } from '../../support/stats';
import {
  bernsteinHalfWidth,
  krrReport,
  laplaceMechanism,
  oueReport,
  releasedReport,
  seededUniform,
  simulateKrr,
  simulateOue,
  vectorReport,
} from './support';

test('the mean, its empirical error and the calibrated noise error of known vectors', () => {
  const vectors = [
    [1, 0, 0, 2],
    [0, 1, 0, 2],
    [0, 0, 1, 2],
    [3, 3, 3, 2],
  ];
  const {
    vectors: [g],
  } = estimatesOf(vectors.map((v) => vectorReport(v)));
  assert.ok(g);
  assert.deepEqual(g.mean, [1, 1, 1, 2]);
  // Per coordinate: values {1,0,0,3} → sample variance (0+1+1+4)/3 = 2; the constant column adds 0.
  assert.ok(Math.abs(g.expectedError! - (3 * 2) / 4) < 1e-12, String(g.expectedError));
  // Standard error of each coordinate's mean: √(2/4) for the first three, 0 for the constant one.
  g.standardErrors!.forEach((se, j) => assert.ok(Math.abs(se - (j < 3 ? Math.sqrt(0.5) : 0)) < 1e-12, `se[${j}]`));
  assert.equal(g.theoreticalError, expectedMse({ name: 'laplace', epsilon: 1, clip: 1 }, 4) / 4);
});

test('float8 totals: the mean of 100 000 grid values with a common offset is within the stated rounding bound', () => {
  const mechanism = laplaceMechanism(1);
  const step = mechanism['step'] as number;
  const u = seededUniform(3);
  const n = 100_000;
  // Grid values (integer multiples of the step) have an exact integer sum in step units.
  const offset = (mechanism['bound'] as number) - 2 ** 11; // the jitter keeps every value inside the clamp
  const units = Array.from({ length: n }, () => offset + Math.floor(u() * 2 ** 11) - 2 ** 10);
  const exactUnits = units.reduce((s, x) => s + BigInt(x), 0n);
  const {
    vectors: [g],
  } = estimatesOf(units.map((x) => vectorReport([x * step], 'offset', mechanism)));
  const exactMean = Number(exactUnits) / n; // < 2^53 units: exact before the one division
  const sumAbs = units.reduce((s, x) => s + Math.abs(x), 0) * step;
  const bound = ((n - 1) * 2 ** -53 * sumAbs) / n; // recursive summation: (n − 1)·u·Σ|x|, then / n
  assert.ok(Math.abs(g!.mean[0]! - exactMean * step) <= bound, `${g!.mean[0]} vs ${exactMean * step} ± ${bound}`);
  assert.ok(g!.expectedError! > 0);
});

test('groups split by scope, ε and clip; one report has no empirical error', () => {
  const reports = [
    vectorReport([1, 1], 'a'),
    vectorReport([3, 3], 'a'),
    vectorReport([3, 3], 'a', laplaceMechanism(2, 1, 2)),
    vectorReport([5, 5], 'b'),
    vectorReport([7, 7], 'a', laplaceMechanism(2, 2)),
  ];
  const { vectors } = estimatesOf(reports);
  assert.equal(vectors.length, 4);
  const a1 = vectors.find((g) => g.key.scope === 'a' && g.key.epsilon === 1 && g.key.clip === 1)!;
  assert.deepEqual([a1.count, a1.mean], [2, [2, 2]]);
  assert.ok(a1.theoreticalError! > 0, 'every group has one calibration, so its noise error is known');
  const b = vectors.find((g) => g.key.scope === 'b')!;
  assert.deepEqual([b.count, b.expectedError, b.standardErrors], [1, null, null]);
});

// Each frequency check may fail a correct estimator with probability ≤ ALPHA (1e-8):
// Bernstein's bound on the reported-count proportion, divided by p − q.
function checkFrequencies(
  frequencies: number[],
  truth: number[],
  n: number,
  p: number,
  q: number,
  label: string,
): void {
  truth.forEach((f, v) => {
    const pi = f * p + (1 - f) * q;
    const bound = bernsteinHalfWidth(n, pi * (1 - pi), ALPHA) / (p - q);
    assert.ok(
      Math.abs(frequencies[v]! - f) <= bound,
      `${label} category ${v}: estimate ${frequencies[v]} vs ${f} (bound ${bound.toFixed(4)})`,
    );
  });
}

test('k-RR frequencies are unbiased on 200 000 simulated reports (seed 1, k = 5, ε = 1)', () => {
  const u = seededUniform(1);
  const truth = [0.4, 0.3, 0.2, 0.1, 0];
  const [n, k, epsilon] = [200_000, 5, 1];
  const values = population(n, truth);
  const reports = values.map((x) => krrReport(simulateKrr(x, k, epsilon, u), k, epsilon, 'krr'));
  const {
    categories: [g],
  } = estimatesOf(reports);
  assert.equal(g!.count, n);
  const e = Math.exp(epsilon);
  checkFrequencies(g!.frequencies, shares(values, k), n, e / (e + k - 1), 1 / (e + k - 1), 'k-RR');
  assert.ok(Math.abs(g!.frequencies.reduce((s, f) => s + f, 0) - 1) < 1e-9, 'k-RR estimates sum to 1');
});

test('OUE frequencies are unbiased on 100 000 simulated reports (seed 2, k = 6, ε = 0.5)', () => {
  const u = seededUniform(2);
  const truth = [0.05, 0.25, 0.25, 0.25, 0.1, 0.1];
  const [n, k, epsilon] = [100_000, 6, 0.5];
  const values = population(n, truth);
  const reports = values.map((x) => oueReport(simulateOue(x, k, epsilon, u), epsilon, 'oue'));
  const {
    categories: [g],
  } = estimatesOf(reports);
  checkFrequencies(g!.frequencies, shares(values, k), n, 0.5, 1 / (Math.exp(epsilon) + 1), 'OUE');
  g!.standardErrors.forEach((s) => assert.ok(s > 0 && s < 0.05));
});

/** n people's true categories, in the proportions `truth` (up to rounding). */
function population(n: number, truth: number[]): number[] {
  const cut = truth.map((_, v) => Math.round(n * truth.slice(0, v + 1).reduce((s, f) => s + f, 0)));
  return Array.from({ length: n }, (_, i) => cut.findIndex((c) => i < c));
}

/** The realised true frequencies, which the estimates are checked against. */
function shares(values: number[], k: number): number[] {
  const counts = new Array<number>(k).fill(0);
  for (const x of values) counts[x]!++;
  return counts.map((c) => c / values.length);
}

test('the calibrated noise error comes from the parameters real reports carry (σ, step, scale)', () => {
  const settings = [
    { name: 'privunit', epsilon: 2 },
    { name: 'gaussian', epsilon: 1, delta: 1e-6, clip: 1 },
    { name: 'gaussian', epsilon: 4, delta: 1e-7, clip: 2 },
    { name: 'laplace', epsilon: 2, clip: 1 },
  ] as const;
  for (const params of settings) {
    const reports = Array.from({ length: 5 }, () => releasedReport('noise', params, 32));
    const {
      vectors: [g],
    } = estimatesOf(reports);
    const expected = expectedMse(params, 32) / 5;
    assert.ok(Math.abs(g!.theoreticalError! - expected) <= 1e-12 * expected, `${params.name}: ${g!.theoreticalError}`);
    const m = reports[0]!.mechanism;
    if (m.name === 'gaussian') assert.ok(g!.theoreticalError! >= (32 * m.sigma * m.sigma) / 5, 'at least dσ²/n');
  }
});
