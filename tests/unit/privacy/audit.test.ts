// Privacy audit: for worst-case input pairs, estimate the privacy loss of a
// distinguishing event from 10^6 runs of the real mechanism per input, with
// Clopper–Pearson bounds. The lower confidence bound on the loss must not exceed
// the claimed ε, and the point estimate must come close to it (the test has power).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { privatizeCategory, privatizeVector, prepareVector } from '../../../src/privacy/mechanism';
import { calibratePrivUnit } from '../../../src/privacy/mechanisms/privunit';
import { analyticGaussianDelta, calibrateAnalyticGaussian } from '../../../src/privacy/mechanisms/gaussian';
import { cryptoRandomSource } from '../../../src/privacy/random/random-source';
import { incompleteBeta } from '../../../src/privacy/math/special';
import { ALPHA, clopperPearson } from '../../support/stats';

const N = 1_000_000;

/** Counts how often `event` holds over N releases. */
function frequency(release: () => boolean): number {
  let c = 0;
  for (let i = 0; i < N; i++) if (release()) c++;
  return c;
}

function lossBounds(k1: number, k2: number): { lower: number; point: number } {
  const a = clopperPearson(k1, N, ALPHA, incompleteBeta);
  const b = clopperPearson(k2, N, ALPHA, incompleteBeta);
  return { lower: Math.log(a.lower / b.upper), point: Math.log(k1 / k2) };
}

test('PrivUnit: inputs u and −u, event "the report is in u\'s cap"', () => {
  const epsilon = 1;
  const d = 3;
  const params = { name: 'privunit', epsilon } as const;
  const u = prepareVector([1, 0, 0], params);
  const minusU = prepareVector([-1, 0, 0], params);
  const { gamma, scale } = calibratePrivUnit(epsilon, d);
  const inCap = (r: Float64Array) => r[0]! / scale >= gamma;
  const k1 = frequency(() => inCap(privatizeVector(u, params, cryptoRandomSource).vector));
  const k2 = frequency(() => inCap(privatizeVector(minusU, params, cryptoRandomSource).vector));
  const { lower, point } = lossBounds(k1, k2);
  assert.ok(lower <= epsilon, `lower bound ${lower} > ε ${epsilon}`);
  assert.ok(point > epsilon - 0.05, `the event is nearly tight: estimated loss ${point}`);
});

test('Laplace: inputs +1 and −1 in one dimension, event "output ≥ 1"', () => {
  const epsilon = 1;
  const params = { name: 'laplace', epsilon } as const;
  const plus = prepareVector([1], params);
  const minus = prepareVector([-1], params);
  const k1 = frequency(() => privatizeVector(plus, params, cryptoRandomSource).vector[0]! >= 1);
  const k2 = frequency(() => privatizeVector(minus, params, cryptoRandomSource).vector[0]! >= 1);
  const { lower, point } = lossBounds(k1, k2);
  assert.ok(lower <= epsilon, `lower bound ${lower} > ε`);
  assert.ok(point > epsilon - 0.1, `estimated loss ${point}`);
});

test('k-RR: categories 0 and 1, event "reports 0"', () => {
  const epsilon = 2;
  const params = { name: 'krr', epsilon, k: 5 } as const;
  const k1 = frequency(() => (privatizeCategory(0, params, cryptoRandomSource).category as { value: number }).value === 0);
  const k2 = frequency(() => (privatizeCategory(1, params, cryptoRandomSource).category as { value: number }).value === 0);
  const { lower, point } = lossBounds(k1, k2);
  assert.ok(lower <= epsilon, `lower bound ${lower} > ε`);
  assert.ok(point > epsilon - 0.05, `estimated loss ${point}`);
});

test('Gaussian: inputs ±e₀ (Δ = 2), event "y₀ ≥ τ": P₁ ≤ e^ε P₂ + δ within confidence', () => {
  const epsilon = 1;
  const delta = 1e-3;
  const params = { name: 'gaussian', epsilon, delta } as const;
  const plus = prepareVector([1], params);
  const minus = prepareVector([-1], params);
  const sigma = calibrateAnalyticGaussian(epsilon, delta, 2);
  assert.ok(analyticGaussianDelta(sigma, epsilon, 2) <= delta);
  // The threshold where the privacy loss equals ε: the worst event for this pair.
  const tau = (epsilon * sigma * sigma) / 2;
  const k1 = frequency(() => privatizeVector(plus, params, cryptoRandomSource).vector[0]! >= tau);
  const k2 = frequency(() => privatizeVector(minus, params, cryptoRandomSource).vector[0]! >= tau);
  const a = clopperPearson(k1, N, ALPHA, incompleteBeta);
  const b = clopperPearson(k2, N, ALPHA, incompleteBeta);
  assert.ok(a.lower <= Math.exp(epsilon) * b.upper + delta, `P1 ≥ ${a.lower} vs e^ε·P2 + δ ≤ ${Math.exp(epsilon) * b.upper + delta}`);
});
