import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkVector, clipToNorm, l2Norm, l2Normalize } from '../../../src/privacy/vector/prepare';
import { project, projectionFromId, randomOrthogonalProjection } from '../../../src/privacy/vector/projection';
import {
  composedEpsilonUnits,
  costOf,
  EPSILON_GRID,
  rhoForEpsilon,
  RHO_GRID,
  totalsOf,
  zcdpToEpsilon,
} from '../../../src/privacy/accountant';
import { gaussianPldDelta } from '../../../src/privacy/pld';
import { DELTA_TARGET, EPSILON_MAX, EPSILON_MIN } from '../../../src/privacy/limits';
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
    { name: 'InvalidParameterError', message: /epsilon must be a number in \[0.01, 16\], got -2/ },
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

test('costs: pure ε on the grid (rounded up); Gaussian as ρ = μ²/2 plus one grid unit of sampler slack', () => {
  const pure = costOf({ name: 'privunit', epsilon: 0.5 });
  assert.deepEqual(pure, { epsilon: 0.5, delta: 0, rho: 0, epsilonUnits: 0.5 / EPSILON_GRID, rhoUnits: 0 });
  const odd = costOf({ name: 'laplace', epsilon: 1 / 17 });
  assert.equal(odd.epsilonUnits, Math.ceil(2 ** 20 / 17), 'rounded up, never down');
  assert.ok(odd.epsilonUnits * EPSILON_GRID >= 1 / 17);
  const gauss = costOf({ name: 'gaussian', epsilon: 1, delta: 1e-6 });
  assert.equal(gauss.delta, 1e-6);
  assert.equal(gauss.epsilonUnits, 1);
  assert.ok(gauss.rhoUnits * RHO_GRID >= gauss.rho && (gauss.rhoUnits - 1) * RHO_GRID < gauss.rho);
  // One Gaussian release's PLD at its ε (less the slack) has δ at most its δ (less the 2^−80 reserve), and
  // only just: μ is the analytic Gaussian's (the zCDP conversion's ρ would be about 0.75 of it).
  const mu = Math.sqrt(2 * gauss.rho);
  assert.ok(gaussianPldDelta(1 - 2 ** -20, mu) <= 1e-6 - 2 ** -80);
  assert.ok(gaussianPldDelta(1 - 2 ** -20, mu * (1 + 1e-9)) > 1e-6 - 2 ** -80, 'and not less σ could do');
  assert.ok(rhoForEpsilon(1, 1e-6) < 0.8 * gauss.rho);
  // ρ for ε is the inverse of the zCDP conversion (kept for reference), with no cancellation at small ε.
  for (const [e, d] of [
    [0.01, 1e-6],
    [1, 1e-6],
    [16, 1e-10],
  ] as const) {
    const rho = rhoForEpsilon(e, d);
    assert.ok(zcdpToEpsilon(rho, d) <= e && zcdpToEpsilon(rho, d) > e * (1 - 1e-9), `ε = ${e}`);
  }
});

test('totals are integers of the grid: many Gaussian releases compose in μ², far below adding up their ε', () => {
  const gauss = costOf({ name: 'gaussian', epsilon: 1, delta: 1e-6 });
  const units = composedEpsilonUnits(totalsOf(Array(100).fill(gauss)), 1e-6);
  assert.ok(Number.isInteger(units));
  const epsilon = units * EPSILON_GRID;
  assert.ok(epsilon < 15, `100 releases at ε = 1 cost ${epsilon}`);
  // μ² adds: 100 releases are one Gaussian of μ·10, whose δ at the charged ε (less the slack) is within 10⁻⁶.
  const mu = Math.sqrt(2 * 100 * gauss.rhoUnits * RHO_GRID);
  assert.ok(gaussianPldDelta(epsilon - 100 * 2 ** -20, mu) <= 1e-6, 'rounded up');
  assert.ok(gaussianPldDelta(epsilon - 100 * 2 ** -20 - 1e-4, mu) > 1e-6, 'and not much more');
  // Below the zCDP conversion of the same μ²/2, which charged more.
  assert.ok(epsilon < zcdpToEpsilon(100 * gauss.rho, 1e-6));
  // One pure charge alone costs its ε less δ's worth (randomized response at ε = 0.5: 1.6·10⁻⁶ less).
  const half = 0.5 / EPSILON_GRID;
  const one = composedEpsilonUnits(totalsOf([{ epsilonUnits: half, rhoUnits: 0 }]));
  assert.ok(one <= half && one >= half - 2, `${one} units`);
});

test('ε-floor and δ attacks are refused by the privacy core (finding 1)', () => {
  const refuse = (params: Parameters<typeof costOf>[0], parameter: string) => {
    assert.throws(
      () => validateParams(params),
      (err: Error & { details?: { parameter?: string } }) => {
        assert.equal(err.name, 'InvalidParameterError');
        assert.equal(err.details?.parameter, parameter);
        return true;
      },
    );
    assert.throws(() => costOf(params), { name: 'InvalidParameterError' });
  };
  refuse({ name: 'gaussian', epsilon: 1e-9, delta: 0.9 }, 'epsilon');
  refuse({ name: 'gaussian', epsilon: 1, delta: 0.9 }, 'delta');
  refuse({ name: 'gaussian', epsilon: 1, delta: 1e-5 }, 'delta');
  refuse({ name: 'privunit', epsilon: 1e-16 }, 'epsilon');
  refuse({ name: 'laplace', epsilon: 0.009 }, 'epsilon');
  refuse({ name: 'krr', epsilon: 1e-16, k: 4 }, 'epsilon');
  refuse({ name: 'oue', epsilon: 17, k: 4 }, 'epsilon');
  refuse({ name: 'privunit', epsilon: Number.NaN }, 'epsilon');
  refuse({ name: 'krr', epsilon: 1, k: 2 ** 16 + 1 }, 'k');
  assert.doesNotThrow(() => validateParams({ name: 'gaussian', epsilon: EPSILON_MIN, delta: DELTA_TARGET }));
  assert.doesNotThrow(() => validateParams({ name: 'privunit', epsilon: EPSILON_MAX }));
  const x = prepareVector([1, 2, 3], { name: 'privunit', epsilon: 1 });
  assert.throws(() => privatizeVector(x, { name: 'privunit', epsilon: 1e-9 }, cryptoRandomSource), {
    name: 'InvalidParameterError',
  });
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
