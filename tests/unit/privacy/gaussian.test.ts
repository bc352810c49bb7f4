// Gaussian mechanism: analytic calibration against the published value, exact privacy
// condition at the calibrated σ, distribution of the noise, unbiasedness and MSE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  analyticGaussianDelta,
  calibrateAnalyticGaussian,
  gaussianNoise,
} from '../../../src/privacy/mechanisms/gaussian';
import { RandomDraws } from '../../../src/privacy/random/draws';
import { cryptoRandomSource } from '../../../src/privacy/random/random-source';
import { normalCdf } from '../../../src/privacy/math/special';
import { Z_CRIT, ksCritical, ksDistance } from '../../support/stats';
import { checkUnbiasedWithMse } from './unbiased';

const draws = () => new RandomDraws(cryptoRandomSource);

test('analytic Gaussian σ matches the published value and is the smallest σ meeting δ', () => {
  const sigma = calibrateAnalyticGaussian(1, 1e-5, 1);
  assert.ok(Math.abs(sigma - 3.73) < 0.005, `σ(ε=1, δ=1e-5, Δ=1) = ${sigma}`);
  for (const [e, d, s] of [
    [0.5, 1e-6, 2],
    [1, 1e-5, 1],
    [4, 1e-6, 2],
    [8, 1e-9, 2],
    [20, 1e-6, 2],
  ] as const) {
    const sg = calibrateAnalyticGaussian(e, d, s);
    assert.ok(analyticGaussianDelta(sg, e, s) <= d, `δ at σ for ε=${e}`);
    assert.ok(analyticGaussianDelta(sg * (1 - 1e-9), e, s) > d * (1 - 1e-6), `σ for ε=${e} is not larger than needed`);
    // The classical bound σ = Δ√(2 ln(1.25/δ))/ε (valid for ε < 1) always needs more noise.
    if (e < 1) assert.ok(sg < (s * Math.sqrt(2 * Math.log(1.25 / d))) / e);
  }
});

test('the privacy condition holds at the calibrated σ, checked by integrating the privacy loss', () => {
  // δ(σ) = E_Y~N(0,σ²)[(1 − e^(ε − L(Y)))₊] with L(y) = (Δ² + 2Δy)/(2σ²) for the shift Δ:
  // the definition of the hockey-stick divergence, integrated numerically (Simpson),
  // independently of the closed form used by the calibration.
  for (const [epsilon, delta, sensitivity] of [
    [1, 1e-5, 1],
    [0.5, 1e-6, 2],
    [4, 1e-6, 2],
  ] as const) {
    const sigma = calibrateAnalyticGaussian(epsilon, delta, sensitivity);
    const f = (y: number) => {
      const loss = (sensitivity * sensitivity + 2 * sensitivity * y) / (2 * sigma * sigma);
      const density = Math.exp(-(y * y) / (2 * sigma * sigma)) / (sigma * Math.sqrt(2 * Math.PI));
      return loss > epsilon ? density * -Math.expm1(epsilon - loss) : 0;
    };
    const lo = (epsilon * sigma * sigma) / sensitivity - sensitivity / 2; // where the loss reaches ε
    const hi = lo + 40 * sigma;
    const n = 200_000;
    const h = (hi - lo) / n;
    let s = f(lo) + f(hi);
    for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * f(lo + i * h);
    const integral = (s * h) / 3;
    assert.ok(integral <= delta * (1 + 1e-6), `ε=${epsilon}: δ by integration ${integral} > ${delta}`);
    assert.ok(integral > delta * (1 - 1e-4), `ε=${epsilon}: σ spends δ (${integral})`);
  }
});

test('Gaussian noise is N(0, σ²) (KS against Φ with the DKW bound, n = 200 000)', () => {
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

test('Gaussian reports are unbiased (10^5 reports) and their MSE is expectedMse', () => {
  checkUnbiasedWithMse({ name: 'gaussian', epsilon: 2, delta: 1e-6 }, 16, 100_000);
});
