// Grid Laplace: exact discrete Laplace pmf (including the tail event), exact Bernoulli
// draws, the output lattice and clamp range, the rounding-aware sensitivity, and
// unbiasedness / MSE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibrateLaplace, laplaceNoise } from '../../../src/privacy/mechanisms/laplace';
import { discreteLaplaceSampler, SAMPLER_SLACK } from '../../../src/privacy/mechanisms/discrete-laplace';
import { exactBernoulli, exactProbability } from '../../../src/privacy/random/exact-bernoulli';
import { RandomDraws } from '../../../src/privacy/random/draws';
import { cryptoRandomSource, type RandomSource } from '../../../src/privacy/random/random-source';
import { normalCdf } from '../../../src/privacy/math/special';
import { ALPHA, binomialZ, zFor } from '../../support/stats';
import { checkUnbiasedWithMse } from './unbiased';
import { laplaceSensitivityUnits } from '../../support/reference-math';

const draws = () => new RandomDraws(cryptoRandomSource);

test('discrete Laplace: P(k) = (1−r)/(1+r)·r^|k| for |k| ≤ 2^J, ±(2^J+1) holds exactly the tail (n = 400 000)', () => {
  const t = 3;
  const r = Math.exp(-1 / t);
  const n = 400_000;
  // maxMagnitude 12 → J = 4: values up to ±16 are exact, ±17 stands for |Z| ≥ 17.
  const sample = discreteLaplaceSampler(t, 12);
  const counts = new Map<number, number>();
  const dr = draws();
  for (let i = 0; i < n; i++) {
    const k = sample(dr);
    assert.ok(Number.isInteger(k) && Math.abs(k) <= 17);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const pmf = (k: number) => ((1 - r) / (1 + r)) * r ** Math.abs(k);
  const tail = r ** 17 / (1 + r); // P(Z ≥ 17) = Σ_{k≥17} pmf(k)
  const cases: [number, number][] = [];
  for (let k = -16; k <= 16; k++) cases.push([k, pmf(k)]);
  cases.push([17, tail], [-17, tail]);
  const z = zFor(ALPHA / cases.length, normalCdf);
  for (const [k, p] of cases)
    assert.ok(Math.abs(binomialZ(counts.get(k) ?? 0, n, p)) < z, `k=${k}: ${counts.get(k)} vs ${n * p}`);
});

/** A source that replays the given words, for deterministic checks of exact comparisons. */
function scripted(words: number[]): RandomSource {
  let i = 0;
  return { fillUint32: (target) => target.forEach((_, j) => (target[j] = words[i++ % words.length]!)) };
}

test('exact Bernoulli: the digits are p exactly, the boundary is exact, and the work is fixed', () => {
  for (const p of [0.5, 0.3, 1e-20, 2 ** -1074, 1 - 2 ** -53, Math.exp(-40)]) {
    const { digits } = exactProbability(p);
    let back = 0;
    for (let i = digits.length - 1; i >= 0; i--) back = (back + digits[i]!) / 4294967296;
    assert.equal(back, p, `digits of ${p}`);
  }
  const prob = exactProbability(0.3);
  const w = Array.from(prob.digits);
  // U with the same leading words as p is ≥ p (p's expansion ends there): false. One less in the last word: true.
  assert.equal(exactBernoulli(prob, new RandomDraws(scripted(w))), 0);
  assert.equal(exactBernoulli(prob, new RandomDraws(scripted([...w.slice(0, -1), w.at(-1)! - 1]))), 1);
  // Words drawn do not depend on the outcome: decided at the first word or not, both read all digits.
  for (const first of [0, 0xffffffff]) {
    const d = new RandomDraws(scripted([first, 7, 7, 7, 11]));
    exactBernoulli(prob, d);
    assert.equal(
      d.word(),
      [first, 7, 7, 7, 11][prob.digits.length % 5],
      'the next word is the same whatever the outcome',
    );
  }
  // Frequency at a mid-range p (n = 400 000).
  const dr = draws();
  let c = 0;
  for (let i = 0; i < 400_000; i++) if (exactBernoulli(prob, dr)) c++;
  assert.ok(Math.abs(binomialZ(c, 400_000, 0.3)) < zFor(ALPHA, normalCdf));
  assert.throws(() => exactProbability(1.5), { name: 'InvalidParameterError' });
});

test('Laplace outputs lie exactly on the grid, inside the public clamp, whatever the input', () => {
  for (const [epsilon, d] of [
    [1, 8],
    [0.5, 96],
    [5, 3],
  ] as const) {
    const params = calibrateLaplace(epsilon, d);
    assert.ok(Number.isInteger(Math.log2(params.step)), 'the step is a power of two');
    const dr = draws();
    for (let trial = 0; trial < 500; trial++) {
      const raw = Float64Array.from({ length: d }, () => (dr.uniform() - 0.5) * 10 ** (dr.int(5) - 3));
      let n = 0;
      for (const v of raw) n += v * v;
      const x = n > 1 ? raw.map((v) => v / Math.sqrt(n)) : raw;
      for (const v of laplaceNoise(x, params, dr)) {
        const k = v / params.step;
        assert.ok(Number.isInteger(k), `${v} is not a multiple of ${params.step}`);
        assert.equal(k * params.step, v, 'and the multiple is exact');
        assert.ok(Math.abs(k) <= params.bound, 'and inside the clamp, which depends on no input');
      }
    }
  }
});

test('the clamp maps each tail exactly onto the bound: P(±L), P(x) as the discrete Laplace gives (n = 200 000)', () => {
  // The public bound moved in to L = x + ⌈t⌉ grid units, so that both ends are hit often: with x = clip = 1024
  // grid units, out = L iff Z ≥ L − x, out = −L iff Z ≤ −(L + x), and out = x iff Z = 0.
  const base = calibrateLaplace(1, 1);
  const x = Math.round(base.clip / base.step);
  const bound = x + Math.ceil(base.t);
  const params = { ...base, bound };
  const r = Math.exp(-1 / params.t);
  const upper = Math.exp(-(bound - x) / params.t) / (1 + r); // P(Z ≥ m) = r^m/(1+r)
  const lower = Math.exp(-(bound + x) / params.t) / (1 + r);
  const centre = (1 - r) / (1 + r);
  const n = 200_000;
  const counts = { upper: 0, lower: 0, centre: 0 };
  const dr = draws();
  const input = Float64Array.of(base.clip);
  for (let i = 0; i < n; i++) {
    const k = laplaceNoise(input, params, dr)[0]! / params.step;
    assert.ok(Number.isInteger(k) && Math.abs(k) <= bound && !Object.is(k, -0), `${k}`);
    if (k === bound) counts.upper++;
    else if (k === -bound) counts.lower++;
    else if (k === x) counts.centre++;
  }
  const z = zFor(ALPHA / 3, normalCdf);
  for (const [name, c, p] of [
    ['upper', counts.upper, upper],
    ['lower', counts.lower, lower],
    ['centre', counts.centre, centre],
  ] as const)
    assert.ok(Math.abs(binomialZ(c, n, p)) < z, `${name}: ${c} vs ${n * p}`);
});

test('the calibration covers the worst rounding of any two inputs (2dg of slack, not dg)', () => {
  const dr = draws();
  for (const [epsilon, d, clip] of [
    [1, 1, 1],
    [1, 4, 1],
    [2, 16, 0.5],
    [0.5, 1280, 3],
  ] as const) {
    const params = calibrateLaplace(epsilon, d, clip);
    const covered = laplaceSensitivityUnits(params);
    assert.ok(
      params.t * (epsilon - SAMPLER_SLACK) >= covered * (1 - 1e-15),
      't is calibrated for the covered distance',
    );
    for (let trial = 0; trial < 200; trial++) {
      // Opposite corners of the L1-largest part of the ball, nudged just off the grid so rounding can go either way.
      const x = Float64Array.from(
        { length: d },
        () => (dr.bits(1) ? 1 : -1) * (clip / Math.sqrt(d)) * (1 - 1e-9) + params.step * 0.01,
      );
      let worst = 0;
      for (let i = 0; i < d; i++) {
        const a = x[i]! / params.step;
        const b = -x[i]! / params.step;
        worst += Math.max(Math.abs(Math.ceil(a) - Math.floor(b)), Math.abs(Math.floor(a) - Math.ceil(b)));
      }
      assert.ok(worst <= covered, `rounded L1 distance ${worst} > covered ${covered}`);
      assert.ok(worst > covered - 2 * d - 1, 'the pair is close to the worst case');
    }
  }
});

test('bad Laplace parameters are typed errors', () => {
  assert.throws(() => calibrateLaplace(0, 4), { name: 'InvalidParameterError' });
  assert.throws(() => calibrateLaplace(1e-9, 4), { name: 'InvalidParameterError' });
  assert.throws(() => calibrateLaplace(1, 0), { name: 'InvalidParameterError' });
  assert.throws(() => calibrateLaplace(1, 4, Number.NaN), { name: 'InvalidParameterError' });
  assert.throws(() => discreteLaplaceSampler(-1, 10), { name: 'InvalidParameterError' });
});

test('Laplace reports are unbiased (10^5 reports) and their MSE is expectedMse', () => {
  checkUnbiasedWithMse({ name: 'laplace', epsilon: 2 }, 16, 100_000);
});

test('Laplace reports stay unbiased where the public clamp is nearest: all the norm on one coordinate, ε = 7', () => {
  checkUnbiasedWithMse({ name: 'laplace', epsilon: 7 }, 4, 100_000, [0, -1, 0, 0]);
});
