// PrivUnit's cap coordinate: the quantile-table-and-Newton inverse against the 64-step bisection it replaced,
// uniform by uniform (the extremes near 0 and 1, powers of two, a grid, random ones), in both regions, at
// d = 2 … 4 096; the fixed work: the same number of libm calls whatever the uniform and the cap bit; and
// tables that build over the range of (ε, d) the product allows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibratePrivUnit, sampleCapCoordinate } from '../../../src/privacy/mechanisms/privunit';
import { RandomDraws } from '../../../src/privacy/random/draws';
import type { RandomSource } from '../../../src/privacy/random/random-source';
import { cryptoRandomSource } from '../../../src/privacy/random/random-source';
import { EPSILON_MAX, EPSILON_MIN } from '../../../src/privacy/limits';
import { bisectCapCoordinates } from './cap-bisection';

const TWO_POW_53 = 2 ** 53;

/** Draws whose every uniform is k/2^53 (RandomDraws.uniform reads 27 bits, then 26). */
function drawsOf(k: number): RandomDraws {
  const hi = Math.floor(k / 2 ** 26);
  const lo = k % 2 ** 26;
  const source: RandomSource = {
    fillUint32(target: Uint32Array): void {
      for (let i = 0; i < target.length; i += 2) {
        target[i] = hi * 32;
        target[i + 1] = lo * 64;
      }
    },
  };
  return new RandomDraws(source);
}

/** Numerators k of the uniforms k/2^53 tried: both ends, every power of two from either end, a grid, random. */
function numerators(random: number): number[] {
  const ks = [1, 2, 3, TWO_POW_53 - 1, TWO_POW_53 - 2, TWO_POW_53 - 3];
  for (let j = 2; j < 53; j++) ks.push(2 ** j, TWO_POW_53 - 2 ** j);
  for (let i = 1; i < 64; i++) ks.push(Math.round((i / 64) * TWO_POW_53));
  const draws = new RandomDraws(cryptoRandomSource);
  for (let i = 0; i < random; i++) ks.push(Math.max(1, Math.floor(draws.uniform() * TWO_POW_53)));
  return ks;
}

// The two inverses find where the same computed CDF crosses the target, each to its last bit; they differ
// by that CDF's own rounding, some 1e−14 in t at d = 4 096 (ln I's front term is a·ln y: its rounding
// grows with a). A fault in the inverse (a wrong row, too few steps, a wrong side) shows as 1e−6 or more.
const TOLERANCE = 5e-14;

test('the cap coordinate agrees with the 64-step bisection in both regions (d = 2 … 4 096, ε = 1, 4, 8)', () => {
  const ks = numerators(60);
  for (const d of [2, 3, 16, 96, 1280, 4096]) {
    for (const epsilon of [1, 4, 8]) {
      const params = calibratePrivUnit(epsilon, d);
      let worst = 0;
      for (const k of ks) {
        const [capRef, restRef] = bisectCapCoordinates(params, k / TWO_POW_53);
        const cap = sampleCapCoordinate(params, true, drawsOf(k));
        const rest = sampleCapCoordinate(params, false, drawsOf(k));
        assert.ok(cap >= params.gamma && rest < params.gamma, `d=${d} ε=${epsilon} k=${k}: outside its region`);
        worst = Math.max(worst, Math.abs(cap - capRef), Math.abs(rest - restRef));
        assert.ok(
          Math.abs(cap - capRef) <= TOLERANCE && Math.abs(rest - restRef) <= TOLERANCE,
          `d=${d} ε=${epsilon} u=${k}/2^53: cap ${cap} vs ${capRef}, rest ${rest} vs ${restRef}`,
        );
      }
      console.log(`d = ${d}, ε = ${epsilon}: largest |t − t_bisection| ${worst.toExponential(2)}`);
    }
  }
});

test('the cap coordinate makes the same libm calls whatever the uniform and the cap bit', () => {
  const counted = ['exp', 'log', 'log1p'] as const;
  const original = counted.map((name) => Math[name]);
  let calls = 0;
  try {
    for (const d of [2, 16, 1280]) {
      const params = calibratePrivUnit(4, d);
      sampleCapCoordinate(params, true, drawsOf(1)); // builds the tables (once per parameters)
      counted.forEach((name, i) => {
        const f = original[i]!;
        Math[name] = (x: number) => {
          calls++;
          return f(x);
        };
      });
      const seen = new Set<number>();
      for (const k of numerators(20)) {
        for (const inCap of [true, false]) {
          calls = 0;
          sampleCapCoordinate(params, inCap, drawsOf(k));
          seen.add(calls);
        }
      }
      counted.forEach((name, i) => (Math[name] = original[i]!));
      assert.equal(seen.size, 1, `d=${d}: libm calls per draw vary: ${[...seen].join(', ')}`);
      assert.ok([...seen][0]! > 0, 'the count saw the calls');
    }
  } finally {
    counted.forEach((name, i) => (Math[name] = original[i]!));
  }
});

test('the tables build and the extreme uniforms land in their regions, ε from EPSILON_MIN to EPSILON_MAX', () => {
  for (const d of [2, 3, 4, 5, 16, 96, 1280, 4096]) {
    for (const epsilon of [EPSILON_MIN, 0.1, 1, 4, EPSILON_MAX]) {
      const params = calibratePrivUnit(epsilon, d);
      for (const k of [1, 2 ** 52, TWO_POW_53 - 1]) {
        const cap = sampleCapCoordinate(params, true, drawsOf(k));
        const rest = sampleCapCoordinate(params, false, drawsOf(k));
        assert.ok(cap >= params.gamma && cap <= 1, `d=${d} ε=${epsilon} u=${k}/2^53: cap t = ${cap}`);
        assert.ok(rest < params.gamma && rest >= -1, `d=${d} ε=${epsilon} u=${k}/2^53: rest t = ${rest}`);
      }
    }
  }
});
