// Gaussian (analytic calibration) and grid Laplace: distributions, lattice, unbiasedness, MSE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyticGaussianDelta, calibrateAnalyticGaussian, gaussianNoise } from '../../../src/privacy/mechanisms/gaussian';
import { calibrateLaplace, discreteLaplace, laplaceNoise } from '../../../src/privacy/mechanisms/laplace';
import { RandomDraws } from '../../../src/privacy/random/draws';
import { cryptoRandomSource } from '../../../src/privacy/random/random-source';
import { normalCdf } from '../../../src/privacy/math/special';
import { expectedMse, prepareVector, privatizeVector } from '../../../src/privacy/mechanism';
import { ALPHA, Z_CRIT, binomialZ, ksCritical, ksDistance, zFor } from '../../support/stats';

const draws = () => new RandomDraws(cryptoRandomSource);

test('analytic Gaussian σ matches the published value and is the smallest σ meeting δ', () => {
  const sigma = calibrateAnalyticGaussian(1, 1e-5, 1);
  assert.ok(Math.abs(sigma - 3.73) < 0.005, `σ(ε=1, δ=1e-5, Δ=1) = ${sigma}`);
  for (const [e, d, s] of [[0.5, 1e-6, 2], [1, 1e-5, 1], [4, 1e-6, 2], [8, 1e-9, 2], [20, 1e-6, 2]] as const) {
    const sg = calibrateAnalyticGaussian(e, d, s);
    assert.ok(analyticGaussianDelta(sg, e, s) <= d, `δ at σ for ε=${e}`);
    assert.ok(analyticGaussianDelta(sg * (1 - 1e-9), e, s) > d * (1 - 1e-6), `σ for ε=${e} is not larger than needed`);
    // The classical bound σ = Δ√(2 ln(1.25/δ))/ε (valid for ε < 1) is never beaten by less noise than needed.
    if (e < 1) assert.ok(sg < (s * Math.sqrt(2 * Math.log(1.25 / d))) / e);
  }
});

test('Gaussian noise is N(0, σ²) (KS, n = 200 000) and the estimate is unbiased', () => {
  const sigma = 1.7;
  const n = 200_000;
  const x = new Float64Array(n).fill(0.3);
  const y = gaussianNoise(x, sigma, draws());
  const z = Float64Array.from(y, (v) => (v - 0.3) / sigma);
  const D = ksDistance(z, normalCdf);
  assert.ok(D < ksCritical(n), `KS ${D}`);
  const mean = y.reduce((s, v) => s + v, 0) / n;
  assert.ok(Math.abs(mean - 0.3) < Z_CRIT * (sigma / Math.sqrt(n)));
});

test('discrete Laplace matches its exact pmf P(k) = (1−r)/(1+r)·r^|k| (binomial z per value, n = 400 000)', () => {
  const t = 3;
  const r = Math.exp(-1 / t);
  const n = 400_000;
  const counts = new Map<number, number>();
  const dr = draws();
  for (let i = 0; i < n; i++) {
    const k = discreteLaplace(t, dr);
    assert.ok(Number.isInteger(k));
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const values = Array.from({ length: 31 }, (_, i) => i - 15);
  const z = zFor(ALPHA / values.length, normalCdf);
  for (const k of values) {
    const p = ((1 - r) / (1 + r)) * r ** Math.abs(k);
    assert.ok(Math.abs(binomialZ(counts.get(k) ?? 0, n, p)) < z, `k=${k}: ${counts.get(k)} vs ${n * p}`);
  }
});

test('Laplace outputs lie exactly on the grid, whatever the input', () => {
  const params = calibrateLaplace(1, 8);
  const dr = draws();
  for (let trial = 0; trial < 2000; trial++) {
    const x = Float64Array.from({ length: 8 }, () => (dr.uniform() - 0.5) * 0.7);
    const out = laplaceNoise(x, params, dr);
    for (const v of out) {
      const k = v / params.step;
      assert.ok(Number.isInteger(k), `${v} is not a multiple of ${params.step}`);
      assert.equal(k * params.step, v, 'and the multiple is exact');
    }
  }
  assert.ok(Number.isInteger(Math.log2(params.step)), 'the step is a power of two');
});

test('Gaussian and Laplace reports are unbiased and their MSE is expectedMse', () => {
  const d = 16;
  const raw = Array.from({ length: d }, (_, i) => Math.sin(i + 0.5));
  for (const params of [{ name: 'gaussian', epsilon: 2, delta: 1e-6 }, { name: 'laplace', epsilon: 2 }] as const) {
    const x = prepareVector(raw, params);
    const n = 50_000;
    const sum = new Float64Array(d);
    const sumSq = new Float64Array(d);
    let mse = 0;
    for (let i = 0; i < n; i++) {
      const r = privatizeVector(x, params, cryptoRandomSource).vector;
      let e = 0;
      for (let j = 0; j < d; j++) {
        sum[j]! += r[j]!;
        sumSq[j]! += r[j]! * r[j]!;
        e += (r[j]! - x[j]!) ** 2;
      }
      mse += e / n;
    }
    const z = zFor(ALPHA / d, normalCdf);
    for (let j = 0; j < d; j++) {
      const mean = sum[j]! / n;
      const se = Math.sqrt((sumSq[j]! / n - mean * mean) / (n - 1));
      assert.ok(Math.abs(mean - x[j]!) < z * se, `${params.name} coordinate ${j}`);
    }
    const expected = expectedMse(params, d);
    // One report's squared error has relative sd about √(2/d); the mean of n has √(2/(d n)) ≈ 0.0016, so 3 % is ~19 sd.
    assert.ok(Math.abs(mse / expected - 1) < 0.03, `${params.name}: MSE ${mse} vs ${expected}`);
  }
});
