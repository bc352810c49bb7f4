// Calibration of aggregate-only release: the central guarantee meets the target with the
// least noise, the local one is computed and weaker, quantisation is unbiased with its
// norm bound, and the analyst's estimate of the mean is unbiased end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composedCentral, planAggregate, planForParticipations } from '../../../src/privacy/aggregate/plan';
import { parseTrainTask, trainPlan } from '../../../src/codebook/train-task';
import { quantiseUnbiased, quantisedNormBounds } from '../../../src/privacy/aggregate/quantise';
import { noisyQuantisedVector, prepareForAggregate } from '../../../src/privacy/aggregate/noisy-vector';
import { estimateFromSum, expectedAggregateMse } from '../../../src/privacy/aggregate/estimate';
import { skellamEpsilon } from '../../../src/privacy/aggregate/skellam-rdp';
import { RandomDraws } from '../../../src/privacy/random/draws';
import { cryptoRandomSource } from '../../../src/privacy/random/random-source';
import { normalCdf } from '../../../src/privacy/math/special';
import { isErrorNamed } from '../../../src/errors';
import { ALPHA, zFor } from '../../support/stats';

test('the central (ε, δ) meets the target, and 1 % less noise would not', () => {
  for (const [epsilon, nMin, dims] of [
    [1, 100, 96],
    [2, 1000, 96],
    [4, 1000, 16],
    [0.5, 50, 8],
  ] as const) {
    const plan = planAggregate({ epsilon, delta: 1e-6, nMin, dims });
    assert.ok(plan.central.epsilon <= epsilon && plan.central.delta <= 1e-6, JSON.stringify(plan.central));
    const lessNoise = skellamEpsilon(0.99 * plan.mu * nMin, plan.sensitivity, 1e-6 * 0.999);
    assert.ok(lessNoise > epsilon, `${lessNoise}`);
    // The local guarantee is that of one person's noise alone: much weaker, and stated.
    assert.ok(plan.local.epsilon > 3 * epsilon, `${plan.local.epsilon}`);
    assert.ok(plan.local.delta <= 1e-6);
    assert.equal(plan.offset, 2 ** (plan.bits - 1));
    assert.ok(plan.bits >= 8 && plan.bits <= 16, `${plan.bits} bits`);
    assert.ok(plan.clampBound <= 2 ** -80);
  }
});

test('more people per batch: each adds less noise, the same total', () => {
  const a = planAggregate({ epsilon: 1, delta: 1e-6, nMin: 100, dims: 32 });
  const b = planAggregate({ epsilon: 1, delta: 1e-6, nMin: 1000, dims: 32 });
  assert.ok(Math.abs((a.mu * 100) / (b.mu * 1000) - 1) < 1e-3);
  assert.ok(b.local.epsilon > a.local.epsilon);
});

test('bad parameters are refused with InvalidParameterError', () => {
  for (const bad of [
    { epsilon: 0, delta: 1e-6, nMin: 10, dims: 4 },
    { epsilon: 1, delta: 1, nMin: 10, dims: 4 },
    { epsilon: 1, delta: 1e-6, nMin: 0, dims: 4 },
    { epsilon: 1, delta: 1e-6, nMin: 10, dims: 2.5 },
    { epsilon: 1, delta: 1e-6, nMin: 10, dims: 4, scale: -1 },
  ]) {
    assert.throws(
      () => planAggregate(bad),
      (e) => isErrorNamed(e, 'InvalidParameterError'),
    );
  }
});

test('randomised rounding is unbiased and never leaves the stated norm bound', () => {
  const d = 24;
  const scale = 37.3;
  const x = Float64Array.from({ length: d }, (_, i) => Math.sin(i * 1.7) / Math.sqrt(d / 2));
  const draws = new RandomDraws(cryptoRandomSource);
  const bound = quantisedNormBounds(scale, Math.hypot(...x), d);
  const n = 40_000;
  const sum = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    const q = quantiseUnbiased(x, scale, draws);
    let l1 = 0;
    let l2 = 0;
    for (let i = 0; i < d; i++) {
      sum[i]! += q[i]!;
      l1 += Math.abs(q[i]!);
      l2 += q[i]! * q[i]!;
      assert.ok(Math.abs(q[i]! - scale * x[i]!) < 1);
    }
    assert.ok(Math.sqrt(l2) <= bound.l2 && l1 <= bound.l1);
  }
  const z = zFor(ALPHA / d, normalCdf);
  for (let i = 0; i < d; i++) {
    const f = scale * x[i]! - Math.floor(scale * x[i]!);
    const se = Math.sqrt((f * (1 - f)) / n) || 1e-12;
    assert.ok(Math.abs(sum[i]! / n - scale * x[i]!) <= z * se + 1e-9, `coordinate ${i}`);
  }
});

test('the analyst’s mean estimate is unbiased: quantise, noise, clamp, offset, sum, de-offset', () => {
  const dims = 8;
  const plan = planAggregate({ epsilon: 4, delta: 1e-6, nMin: 40, dims, scale: 64 });
  const people = Array.from({ length: 40 }, (_, p) =>
    prepareForAggregate(
      Array.from({ length: dims }, (_, i) => Math.cos(p * 0.9 + i * 2.1) + (i === p % dims ? 2 : 0)),
      plan,
    ),
  );
  const truth = new Float64Array(dims);
  for (const v of people) for (let i = 0; i < dims; i++) truth[i]! += v[i]! / people.length;
  const batches = 1500;
  const sum = new Float64Array(dims);
  const sumSq = new Float64Array(dims);
  let sqError = 0;
  for (let b = 0; b < batches; b++) {
    const total = new Array<number>(dims).fill(0);
    for (const v of people) {
      const y = noisyQuantisedVector(v, plan, cryptoRandomSource);
      for (let i = 0; i < dims; i++) {
        assert.ok(y[i]! >= 0 && y[i]! < 2 ** plan.bits);
        total[i]! += y[i]!;
      }
    }
    const { mean } = estimateFromSum(total, people.length, plan);
    for (let i = 0; i < dims; i++) {
      sum[i]! += mean[i]!;
      sumSq[i]! += mean[i]! ** 2;
      sqError += (mean[i]! - truth[i]!) ** 2 / batches;
    }
  }
  const z = zFor(ALPHA / dims, normalCdf);
  for (let i = 0; i < dims; i++) {
    const m = sum[i]! / batches;
    const se = Math.sqrt((sumSq[i]! / batches - m * m) / (batches - 1));
    assert.ok(Math.abs(m - truth[i]!) < z * se, `coordinate ${i}: ${m} vs ${truth[i]} (se ${se})`);
  }
  // And its squared error is what the calibration says (noise plus at most the rounding).
  const expected = expectedAggregateMse(plan, people.length);
  assert.ok(sqError > 0.8 * expected.noise && sqError < 1.2 * (expected.noise + expected.roundingBound), `${sqError}`);
});

test('an unprepared vector is refused', () => {
  const plan = planAggregate({ epsilon: 1, delta: 1e-6, nMin: 10, dims: 3 });
  assert.throws(
    () => noisyQuantisedVector(Float64Array.of(1, 1, 0), plan, cryptoRandomSource),
    (e) => isErrorNamed(e, 'InvalidVectorError'),
  );
  assert.throws(
    () => noisyQuantisedVector(Float64Array.of(1, 0), plan, cryptoRandomSource),
    (e) => isErrorNamed(e, 'InvalidVectorError'),
  );
});

test('one report reads the same number of random words whatever the vector', () => {
  const plan = planAggregate({ epsilon: 1, delta: 1e-6, nMin: 100, dims: 24 });
  const counts = new Set<number>();
  for (const x of [
    new Float64Array(24),
    Float64Array.from({ length: 24 }, (_, i) => (i === 3 ? 1 : 0)),
    prepareForAggregate(
      Array.from({ length: 24 }, (_, i) => Math.sin(i)),
      plan,
    ),
  ]) {
    for (let r = 0; r < 20; r++) {
      let words = 0;
      noisyQuantisedVector(x, plan, {
        fillUint32(t) {
          words += t.length;
          cryptoRandomSource.fillUint32(t);
        },
      });
      counts.add(words);
    }
  }
  // RandomDraws fills 256 words at a time: 24·(2 + 72) = 1776 words, in 7 fills.
  assert.deepEqual([...counts], [7 * 256]);
});

test('training composes: rounds multiply the RDP, zero-out neighbours halve the sensitivity', () => {
  const base = { epsilon: 2, delta: 1e-6, nMin: 200, dims: 97 };
  const one = planAggregate(base);
  assert.equal(one.rounds, 1);
  assert.equal(one.neighbours, 'replace');
  const zero = planAggregate({ ...base, neighbours: 'zero-out' });
  assert.equal(zero.sensitivity.l2 * 2, one.sensitivity.l2);
  // Noise variance goes with Δ₂² when the Δ₂² term of the bound dominates: a quarter, to within the Δ₁ term.
  assert.ok(zero.mu / one.mu > 0.24 && zero.mu / one.mu < 0.26, `${zero.mu / one.mu}`);
  for (const rounds of [2, 5, 20]) {
    const plan = planAggregate({ ...base, neighbours: 'zero-out', rounds });
    assert.ok(plan.central.epsilon <= 2 && plan.central.delta <= 1e-6, JSON.stringify(plan.central));
    const lessNoise = skellamEpsilon(0.99 * plan.mu * base.nMin, plan.sensitivity, 1e-6 * 0.999, rounds);
    assert.ok(lessNoise > 2, `${rounds} rounds: ${lessNoise}`);
    // One round of this noise alone is far stronger than the total, which is what composition spends.
    assert.ok(skellamEpsilon(plan.mu * base.nMin, plan.sensitivity, 1e-6 * 0.999) < 2 / Math.sqrt(rounds) + 0.5);
    // The local guarantee is still that of one noisy vector, stated per round.
    assert.ok(plan.local.epsilon > plan.central.epsilon);
  }
  assert.throws(
    () => planAggregate({ ...base, rounds: 0 }),
    (e) => isErrorNamed(e, 'InvalidParameterError'),
  );
  assert.throws(
    () => planAggregate({ ...base, neighbours: 'add-remove' as never }),
    (e) => isErrorNamed(e, 'InvalidParameterError'),
  );
});

/**
 * The user-level ε of k compositions of Skellam noise M = n_min·μ, written out independently: the
 * Gaussian-like leading RDP term kαΔ₂²/(4M) (the Skellam bound's second term is below 1e-9 here),
 * converted at δ by the same conversion, minimised over integer orders. A lower bound on the
 * accountant's, which adds the second term and the sampler's and clamping's charges.
 */
function referenceEpsilon(M: number, l2: number, delta: number, k: number): number {
  let best = Infinity;
  for (let a = 2; a <= 20000; a++) {
    const rdp = (k * a * l2 * l2) / (4 * M);
    best = Math.min(best, rdp + Math.log((a - 1) / a) - (Math.log(delta) + Math.log(a)) / (a - 1));
  }
  return best;
}

test('participations: the per-round noise composed over k rounds meets the user-level ε, as a task declares it', () => {
  // The evaluation's head: 10 labels over 96 features, 500 devices a round (at the δ a task may declare).
  const params = { epsilon: 2, delta: 1e-8, nMin: 500, dims: 970, neighbours: 'zero-out' as const };
  const single = planForParticipations(params, 1);
  assert.equal(single.perRound.mu, planAggregate(params).mu);
  for (const k of [2, 4]) {
    const { perRound, userLevel } = planForParticipations(params, k);
    assert.equal(perRound.rounds, 1);
    assert.deepEqual(userLevel, composedCentral(perRound, k));
    assert.ok(userLevel.epsilon <= 2 && userLevel.epsilon > 2 * (1 - 1e-5), `${k}: ${userLevel.epsilon}`);
    assert.ok(userLevel.delta <= 1e-8);
    const reference = referenceEpsilon(500 * perRound.mu, perRound.sensitivity.l2, 1e-8 * 0.999, k);
    assert.ok(userLevel.epsilon >= reference && userLevel.epsilon < reference * (1 + 1e-3), `${k}: ${reference}`);
    // Composition is sub-additive here: each round gets more than 2/k, less than 2.
    assert.ok(perRound.central.epsilon > 2 / k && perRound.central.epsilon < 2, `${perRound.central.epsilon}`);
    // A task declaring that per-round noise and participations gets the same μ, charge and user-level ε.
    const task = parseTrainTask(
      {
        kind: 'train',
        scope: 'fashion',
        codebook: 'fashion',
        labels: Array.from({ length: 10 }, (_, i) => `label ${i}`),
        model: { id: 'mobilenet_v2', layer: 'block_12_add', dims: 96 },
        clip: 1,
        rounds: 20 * k,
        participations: k,
        roundSeconds: 3600,
        noise: { epsilon: perRound.epsilon, delta: perRound.delta },
        nMin: 500,
        aggregators: { leader: 'https://leader.example', helper: 'https://helper.example' },
      },
      'test',
    );
    assert.equal(trainPlan(task).mu, perRound.mu);
    assert.deepEqual(trainPlan(task).central, perRound.central);
  }
  assert.throws(
    () => planForParticipations(params, 0),
    (e) => isErrorNamed(e, 'InvalidParameterError'),
  );
});
