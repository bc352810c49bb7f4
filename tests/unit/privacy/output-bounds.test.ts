// The public clamp of Gaussian and Laplace outputs (src/privacy/output-bounds.ts): its bias computed
// exactly from each noise's pmf, the influence of one report at the bound, which parameters are
// refused, and the device's outputs against the bound even when the noise is driven into the tail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibrateDiscreteGaussian, discreteGaussianNoise } from '../../../src/privacy/mechanisms/discrete-gaussian';
import { calibrateLaplace, laplaceNoise } from '../../../src/privacy/mechanisms/laplace';
import { DIMS_MAX, EPSILON_MAX, EPSILON_MIN } from '../../../src/privacy/limits';
import { RandomDraws } from '../../../src/privacy/random/draws';
import type { RandomSource } from '../../../src/privacy/random/random-source';
import { cryptoRandomSource } from '../../../src/privacy/random/random-source';

/** 1 % of the standard error of a mean of 10^8 reports, as a share of one report's noise sd. */
const BIAS_TARGET = 0.01 / Math.sqrt(1e8);
const N = 500;

/**
 * The clamp's bias at the worst input coordinate (the largest rounded one, L grid units) for a noise
 * pmf on ℤ, by summing the pmf: E[min(B, max(−B, L + Z))] − L, with the noise's exact sd.
 */
function exactClampBias(weight: (k: number) => number, reach: number, largest: number, bound: number) {
  let total = 0;
  let second = 0;
  for (let k = -reach; k <= reach; k++) {
    const w = weight(k);
    total += w;
    second += k * k * w;
  }
  let upper = 0;
  let lower = 0;
  for (let k = -reach; k <= reach; k++) {
    const y = largest + k;
    if (y > bound) upper += (y - bound) * weight(k);
    else if (y < -bound) lower += (-bound - y) * weight(k);
  }
  // `upperTail` alone is what the derivation bounds (the lower side only cancels part of it).
  return { bias: Math.abs(lower - upper) / total, upperTail: upper / total, sd: Math.sqrt(second / total) };
}

const GAUSSIAN_GRID = [
  [16, 1e-6, 1, 1],
  [16, 1e-6, 4, 1],
  [16, 1e-15, 96, 1],
  [4, 1e-6, 1, 1],
  [1, 1e-6, 1, 1],
  [1, 1e-10, 4, 2],
  [0.25, 1e-6, 1, 1],
  [2, 1e-6, 16, 0.5],
] as const;

const LAPLACE_GRID = [
  [2.5, 1, 1],
  [7, 4, 1],
  [16, 16, 1],
  [1, 1, 1],
  [0.1, 1, 1],
  [4, 8, 2],
  [0.5, 16, 1],
] as const;

test('Gaussian: the clamp’s bias, summed exactly over the discrete Gaussian pmf, is below 1 % of SE at 10^8', () => {
  for (const [epsilon, delta, dims, clip] of GAUSSIAN_GRID) {
    const p = calibrateDiscreteGaussian(epsilon, delta, dims, clip);
    const s = p.sigmaUnits;
    const largest = Math.ceil(clip / p.step);
    const weight = (k: number) => Math.exp(-(k * k) / (2 * s * s));
    // Beyond 14σ the weights are below e^−98 of the peak: nothing a double could hold.
    const reach = Math.ceil(14 * s) + p.bound + largest;
    const { bias, sd } = exactClampBias(weight, reach, largest, p.bound);
    const at = `ε=${epsilon} δ=${delta} d=${dims} C=${clip}`;
    assert.ok(bias < BIAS_TARGET * sd, `${at}: bias ${bias} ≥ ${BIAS_TARGET * sd} grid units`);
    // The margin is derived, not generous: with 10 % less of it the upper tail would pass the target.
    const tighter = largest + Math.floor(0.9 * (p.bound - largest));
    const tail = exactClampBias(weight, reach, largest, tighter).upperTail;
    assert.ok(tail > BIAS_TARGET * sd, `${at}: margin is not tight`);
  }
});

test('Laplace: the clamp’s bias, summed exactly over the discrete Laplace pmf, is below 1 % of SE at 10^8', () => {
  for (const [epsilon, dims, clip] of LAPLACE_GRID) {
    const p = calibrateLaplace(epsilon, dims, clip);
    const largest = Math.ceil(clip / p.step);
    const weight = (k: number) => Math.exp(-Math.abs(k) / p.t);
    // Beyond 60t past the bound the weights are below e^−60 of those at the bound.
    const reach = p.bound + largest + Math.ceil(60 * p.t);
    const { bias, sd } = exactClampBias(weight, reach, largest, p.bound);
    const at = `ε=${epsilon} d=${dims} C=${clip}`;
    assert.ok(bias < BIAS_TARGET * sd, `${at}: bias ${bias} ≥ ${BIAS_TARGET * sd} grid units`);
    const tighter = largest + Math.floor(0.9 * (p.bound - largest));
    const tail = exactClampBias(weight, reach, largest, tighter).upperTail;
    assert.ok(tail > BIAS_TARGET * sd, `${at}: margin is not tight`);
  }
});

/** One report at ±bound against a mean of n: (B + C/√d)·√n + 6 SE of honest noise, over (n + 1)·sd. */
function influence(boundValue: number, sd: number, clip: number, dims: number): number {
  return ((boundValue + clip / Math.sqrt(dims)) * Math.sqrt(N) + 6 * sd) / ((N + 1) * sd);
}

const EPSILONS = [EPSILON_MIN, 0.1, 0.5, 1, 2, 3, 4, 6, 8, 10, 12, 14, EPSILON_MAX];
const DIMS = [1, 2, 3, 4, 8, 16, 96, 1280, DIMS_MAX];

test('every allowed Gaussian (ε, δ, d, C) meets both the bias and the influence condition', () => {
  for (const epsilon of EPSILONS)
    for (const delta of [1e-15, 1e-10, 1e-6])
      for (const dims of DIMS)
        for (const clip of [0.5, 1, 6 * Math.sqrt(1280)]) {
          const p = calibrateDiscreteGaussian(epsilon, delta, dims, clip);
          const i = influence(p.bound * p.step, p.sigma, clip, dims);
          assert.ok(i <= 0.5, `ε=${epsilon} δ=${delta} d=${dims}: one report moves the mean ${i} SE`);
        }
});

test('Laplace: where bias and influence cannot both hold (small d, large ε) the calibration refuses', () => {
  let refused = 0;
  for (const epsilon of EPSILONS)
    for (const dims of DIMS) {
      const sdOf = (t: number, step: number) => (Math.sqrt(2 * Math.exp(-1 / t)) / -Math.expm1(-1 / t)) * step;
      let p: ReturnType<typeof calibrateLaplace> | undefined;
      try {
        p = calibrateLaplace(epsilon, dims, 1);
      } catch (err) {
        assert.equal((err as Error).name, 'InvalidParameterError');
        assert.match((err as Error).message, /one report moves a mean of 500 by at most 0\.5 standard errors/);
        refused++;
        // Refused only near or past where the bias margin (12.78 t) leaves it above half an SE.
        const t = (2 * Math.sqrt(dims)) / epsilon; // the noise scale in vector units, grid slack aside
        assert.ok(
          influence(1 + 12.78 * t, Math.SQRT2 * t, 1, dims) > 0.49,
          `ε=${epsilon} d=${dims} refused needlessly`,
        );
        continue;
      }
      const i = influence(p.bound * p.step, sdOf(p.t, p.step), 1, dims);
      assert.ok(i <= 0.5, `ε=${epsilon} d=${dims}: one report moves the mean ${i} SE`);
    }
  assert.ok(refused > 0);
  // The frontier docs/privacy.md states: the largest ε allowed at d = 1, 4 and 8, every ε from d = 15.
  for (const [epsilon, dims] of [
    [2.68, 1],
    [7.17, 4],
    [11.23, 8],
    [EPSILON_MAX, 15],
  ] as const) {
    assert.doesNotThrow(() => calibrateLaplace(epsilon, dims), `ε=${epsilon} d=${dims}`);
    if (epsilon < EPSILON_MAX)
      assert.throws(() => calibrateLaplace(epsilon + 0.01, dims), { name: 'InvalidParameterError' });
  }
  assert.throws(() => calibrateLaplace(EPSILON_MAX, 14), { name: 'InvalidParameterError' });
});

/**
 * A source whose every word is 0 or 2^32 − 1 (a fair coin between them): each Bernoulli the samplers
 * draw then comes out as a fair coin whatever its probability, so the geometric parts of the noise
 * take their high bits half the time and the noise lands far in the tail, beyond the clamp.
 */
const extremeSource: RandomSource = {
  fillUint32(target) {
    cryptoRandomSource.fillUint32(target);
    for (let i = 0; i < target.length; i++) target[i] = target[i]! & 1 ? 0xffffffff : 0;
  },
};

test('the device’s Gaussian and Laplace outputs never exceed the bound, even with noise driven into the tail', () => {
  const draws = new RandomDraws(extremeSource);
  const cases = [
    ['gaussian', 16, 4],
    ['gaussian', 1, 96],
    ['laplace', 7, 4],
    ['laplace', 1, 96],
  ] as const;
  for (const [name, epsilon, dims] of cases) {
    const p =
      name === 'gaussian' ? calibrateDiscreteGaussian(epsilon, 1e-6, dims, 1) : calibrateLaplace(epsilon, dims, 1);
    const limit = p.bound * p.step;
    let atBound = 0;
    // 4 000 coordinates or more: about 5 % of them (Gaussian) or 25 % (Laplace) reach the bound with this source.
    for (let trial = 0; trial < Math.ceil(4000 / dims); trial++) {
      // The worst inputs for the clamp: all the norm on one coordinate, either sign.
      const x = new Float64Array(dims);
      x[trial % dims] = trial % 2 ? 1 : -1;
      const out =
        name === 'gaussian'
          ? discreteGaussianNoise(x, p as ReturnType<typeof calibrateDiscreteGaussian>, draws)
          : laplaceNoise(x, p as ReturnType<typeof calibrateLaplace>, draws);
      for (const v of out) {
        assert.ok(Math.abs(v) <= limit, `${name} ε=${epsilon} d=${dims}: ${v} beyond ±${limit}`);
        if (Math.abs(v) === limit) atBound++;
      }
    }
    // The source does reach the tail: without the clamp these values would lie beyond the bound.
    assert.ok(atBound > 40, `${name} ε=${epsilon} d=${dims}: only ${atBound} values reached the bound`);
  }
});
