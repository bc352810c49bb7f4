// RandomDraws: exact ranges, no modulo bias, and every mechanism draws only from the
// RandomSource it is given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RandomDraws } from '../../../src/privacy/random/draws';
import { FIXED_WORDS, fixedWordBernoulli } from '../../../src/privacy/random/fixed-bernoulli';
import { cryptoRandomSource, type RandomSource } from '../../../src/privacy/random/random-source';
import {
  prepareVector,
  privatizeCategory,
  privatizeVector,
  type CategoryMechanismParams,
  type VectorMechanismParams,
} from '../../../src/privacy/mechanism';
import { normalCdf } from '../../../src/privacy/math/special';
import { ALPHA, binomialZ, zFor } from '../../support/stats';
import { seededSource } from './seeded-source';

const constant = (w: number): RandomSource => ({ fillUint32: (t) => t.fill(w) });

test('uniform() is strictly inside (0, 1) on the 53-bit grid, even for the extreme words', () => {
  assert.equal(new RandomDraws(constant(0xffffffff)).uniform(), 1 - 2 ** -53);
  // All-zero words would give 0: redrawn, so a source that starts with zeros moves on.
  let calls = 0;
  const zerosThenOnes: RandomSource = { fillUint32: (t) => t.fill(calls++ === 0 ? 0 : 0xffffffff) };
  const u = new RandomDraws(zerosThenOnes).uniform();
  assert.ok(u > 0 && u < 1);
  const d = new RandomDraws(cryptoRandomSource);
  for (let i = 0; i < 10_000; i++) {
    const v = d.uniform();
    assert.ok(v > 0 && v < 1 && Number.isInteger(v * 2 ** 53));
  }
});

test('int(n) has no modulo bias: n = 3·2^30 (plain modulo would give 0 with probability 1/2, not 1/3)', () => {
  const n = 3 * 2 ** 30;
  const d = new RandomDraws(cryptoRandomSource);
  let low = 0;
  const draws = 300_000;
  for (let i = 0; i < draws; i++) if (d.int(n) < 2 ** 30) low++;
  assert.ok(Math.abs(binomialZ(low, draws, 1 / 3)) < zFor(ALPHA, normalCdf), `${low} of ${draws}`);
  assert.throws(() => d.int(0), RangeError);
  for (let i = 0; i < 100; i++) assert.ok([0, 1].includes(d.bits(1)) && d.bits(32) < 2 ** 32 && d.bits(3) < 8);
  assert.throws(() => d.bits(33), RangeError);
});

test('every mechanism draws only from the source it is given: the same seed gives the same release', () => {
  const raw = Array.from({ length: 12 }, (_, i) => Math.cos(i));
  const vectorParams: VectorMechanismParams[] = [
    { name: 'privunit', epsilon: 2 },
    { name: 'gaussian', epsilon: 2, delta: 1e-6 },
    { name: 'laplace', epsilon: 2 },
  ];
  const categoryParams: CategoryMechanismParams[] = [
    { name: 'krr', epsilon: 2, k: 7 },
    { name: 'oue', epsilon: 2, k: 7 },
  ];
  const releases: [string, (seed: number) => string][] = [
    ...vectorParams.map((p): [string, (seed: number) => string] => [
      p.name,
      (seed) => JSON.stringify(Array.from(privatizeVector(prepareVector(raw, p), p, seededSource(seed)).vector)),
    ]),
    ...categoryParams.map((p): [string, (seed: number) => string] => [
      p.name,
      (seed) => JSON.stringify(privatizeCategory(3, p, seededSource(seed))),
    ]),
  ];
  for (const [name, once] of releases) {
    assert.equal(once(42), once(42), name);
    // And the output does depend on the words (for k-RR, two seeds may well agree: try several).
    assert.ok(
      [43, 44, 45, 46, 47, 48, 49, 50].some((seed) => once(seed) !== once(42)),
      name,
    );
  }
});

test('an unprepared vector is refused: the calibration holds only for unit (PrivUnit) or clipped vectors', () => {
  const long = Float64Array.of(3, 4);
  for (const params of [
    { name: 'privunit', epsilon: 1 },
    { name: 'laplace', epsilon: 1 },
    { name: 'gaussian', epsilon: 1, delta: 1e-6 },
  ] as const) {
    assert.throws(() => privatizeVector(long, params, cryptoRandomSource), {
      name: 'InvalidVectorError',
      message: /use prepareVector/,
    });
  }
});

test('fixedWordBernoulli: always four words, P(true) = p to within 2^-128 (n = 400 000 at p = 0.3)', () => {
  let words = 0;
  const counting: RandomSource = {
    fillUint32(target) {
      words += target.length;
      cryptoRandomSource.fillUint32(target);
    },
  };
  const d = new RandomDraws(counting);
  // Whatever p and the outcome, FIXED_WORDS words per draw: 256 draws empty the 256-word buffer 4 times.
  for (const p of [0, 1e-300, 0.3, 0.5, 1 - 2 ** -53, 1, 2]) {
    const before = words;
    for (let i = 0; i < 256; i++) fixedWordBernoulli(p, d);
    assert.equal(words - before, 256 * FIXED_WORDS, `p = ${p}`);
  }
  assert.equal(fixedWordBernoulli(1, d), 1);
  assert.equal(fixedWordBernoulli(0, d), 0);
  let c = 0;
  for (let i = 0; i < 400_000; i++) if (fixedWordBernoulli(0.3, d)) c++;
  assert.ok(Math.abs(binomialZ(c, 400_000, 0.3)) < zFor(ALPHA, normalCdf), `${c}`);
});
