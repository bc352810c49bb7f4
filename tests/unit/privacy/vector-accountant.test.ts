import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkVector, clipToNorm, l2Norm, l2Normalize } from '../../../src/privacy/vector/prepare';
import { project, projectionFromId, randomOrthogonalProjection } from '../../../src/privacy/vector/projection';
import { canAfford, composeCosts, costOf, zcdpToEpsilon } from '../../../src/privacy/accountant';
import {
  expectedCosine,
  expectedMse,
  prepareVector,
  privatizeVector,
  validateParams,
  type MechanismParams,
} from '../../../src/privacy/mechanism';
import { cryptoRandomSource } from '../../../src/privacy/random/random-source';
import { RandomDraws } from '../../../src/privacy/random/draws';

test('normalise and clip: unit length, norm never above C, direction kept', () => {
  const v = [3, -4, 12];
  assert.ok(Math.abs(l2Norm(l2Normalize(v)) - 1) < 1e-15);
  assert.deepEqual(Array.from(l2Normalize([0, 0, 0])), [1, 0, 0], 'the zero vector maps to a fixed public direction');
  const clipped = clipToNorm(v, 2);
  assert.ok(Math.abs(l2Norm(clipped) - 2) < 1e-12);
  assert.ok(Math.abs(clipped[2]! / clipped[0]! - 4) < 1e-12);
  assert.deepEqual(Array.from(clipToNorm([0.1, 0.2], 2)), [0.1, 0.2]);
  for (let i = 0; i < 200; i++) {
    const draws = new RandomDraws(cryptoRandomSource);
    const x = Array.from({ length: 7 }, () => (draws.uniform() - 0.5) * 10 ** (draws.int(12) - 6));
    for (const name of ['gaussian', 'laplace'] as const)
      assert.ok(l2Norm(prepareVector(x, { name, epsilon: 1, delta: 1e-6, clip: 0.5 })) <= 0.5 + 1e-15);
    assert.ok(Math.abs(l2Norm(prepareVector(x, { name: 'privunit', epsilon: 1 })) - 1) < 1e-12);
  }
});

test('bad vectors are typed errors, never silently fixed', () => {
  assert.throws(() => checkVector([1, Number.NaN]), { name: 'InvalidVectorError', message: /value 1 is NaN/ });
  assert.throws(() => checkVector([1, Infinity]), { name: 'InvalidVectorError' });
  assert.throws(() => checkVector([]), { name: 'InvalidVectorError' });
  assert.throws(() => checkVector([1, 2], 3), {
    name: 'InvalidVectorError',
    message: /expected a vector of 3 values, got 2/,
  });
  const projection = randomOrthogonalProjection(8, 3);
  assert.throws(() => prepareVector([1, 2, 3], { name: 'privunit', epsilon: 1 }, projection), {
    name: 'InvalidVectorError',
  });
});

test('bad mechanism parameters are typed errors', () => {
  const bad: unknown[] = [
    { name: 'privunit', epsilon: 0 },
    { name: 'privunit', epsilon: -1 },
    { name: 'privunit', epsilon: Number.NaN },
    { name: 'privunit', epsilon: Infinity },
    { name: 'gaussian', epsilon: 1 },
    { name: 'gaussian', epsilon: 1, delta: 0 },
    { name: 'gaussian', epsilon: 1, delta: 1 },
    { name: 'gaussian', epsilon: 1, delta: 1e-6, clip: -1 },
    { name: 'krr', epsilon: 1, k: 1 },
    { name: 'oue', epsilon: 1, k: 2.5 },
    { name: 'rappor', epsilon: 1 },
  ];
  for (const params of bad)
    assert.throws(
      () => validateParams(params as MechanismParams),
      { name: 'InvalidParameterError' },
      JSON.stringify(params),
    );
  assert.throws(
    () => privatizeVector(new Float64Array([1, 0]), { name: 'privunit', epsilon: -2 }, cryptoRandomSource),
    { name: 'InvalidParameterError', message: /epsilon must be a finite number > 0, got -2/ },
  );
  assert.throws(() => validateParams({ name: 'rappor', epsilon: 1 } as unknown as MechanismParams), {
    message: /mechanism must be one of privunit, gaussian, laplace, krr, oue/,
  });
});

test('the public projection is orthonormal, rebuilt from its id, and shrinks no more than it should', () => {
  const p = randomOrthogonalProjection(96, 16);
  assert.equal(p.id, 'rorth-20261122-96x16');
  for (let a = 0; a < 16; a++) {
    for (let b = 0; b < 16; b++) {
      let dot = 0;
      for (let i = 0; i < 96; i++) dot += p.rows[a * 96 + i]! * p.rows[b * 96 + i]!;
      assert.ok(Math.abs(dot - (a === b ? 1 : 0)) < 1e-12);
    }
  }
  const again = projectionFromId(p.id);
  assert.deepEqual(Array.from(again.rows), Array.from(p.rows));
  const x = l2Normalize(Array.from({ length: 96 }, (_, i) => Math.sin(i)));
  assert.ok(l2Norm(project(p, x)) <= 1 + 1e-12);
  assert.throws(() => projectionFromId('pca-foo'), { name: 'InvalidParameterError' });
});

test('costs: pure ε adds up; Gaussian ρ = Δ²/(2σ²); zCDP conversion; budget check', () => {
  const pure = costOf({ name: 'privunit', epsilon: 0.5 });
  assert.deepEqual(pure, { epsilon: 0.5, delta: 0, rho: 0.125 });
  const gauss = costOf({ name: 'gaussian', epsilon: 1, delta: 1e-6 });
  assert.equal(gauss.delta, 1e-6);
  assert.ok(gauss.rho > 0 && gauss.rho < 0.5);
  assert.deepEqual(composeCosts([pure, pure, pure]), { epsilon: 1.5, delta: 0 });
  // Many Gaussian releases: the zCDP route gives a much smaller ε than adding up.
  const many = Array.from({ length: 100 }, () => gauss);
  const basic = composeCosts(many);
  const tight = composeCosts(many, { delta: 1e-4 });
  assert.equal(basic.epsilon, 100);
  assert.ok(Math.abs(basic.delta - 1e-4) < 1e-18);
  assert.ok(Math.abs(tight.epsilon - zcdpToEpsilon(100 * gauss.rho, 1e-4)) < 1e-12);
  assert.ok(tight.epsilon < 25);
  const seventeenth = costOf({ name: 'privunit', epsilon: 1 / 17 });
  const spent = Array.from({ length: 16 }, () => seventeenth);
  assert.equal(canAfford(spent, seventeenth, 1), true, '17 × (1/17) fits a budget of 1');
  assert.equal(canAfford([...spent, seventeenth], seventeenth, 1), false);
});

test('expected utility for the UI: MSE and cosine fall as ε grows; PrivUnit beats Gaussian ≥ 10x at equal ε', () => {
  let last = Infinity;
  for (const epsilon of [0.5, 1, 2, 4, 8]) {
    const pu = expectedMse({ name: 'privunit', epsilon }, 96);
    const ga = expectedMse({ name: 'gaussian', epsilon, delta: 1e-6 }, 96);
    assert.ok(pu < last);
    assert.ok(ga / pu >= 10, `ε=${epsilon}: Gaussian/PrivUnit ${ga / pu}`);
    last = pu;
    const c = expectedCosine({ name: 'privunit', epsilon }, 96);
    assert.ok(c > 0 && c < 1);
  }
});
