// The device's composed charge against an independent privacy-loss-distribution computation written
// here: each pure-ε release (Laplace, k-RR, PrivUnit) as randomized response's two-point loss ±ε, an
// (ε, δ) release as the same plus δ of infinite loss, Gaussians as N(μ²/2, μ²) with μ from the
// analytic Gaussian mechanism (own bisection, own normal CDF); the binomials enumerated exactly and
// the Gaussian part integrated in closed form. The charge must be within 2 % of it and never below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { costOf, deltaUnitsUp, epsilonUnitsUp, EPSILON_GRID, type Cost } from '../../../src/privacy/accountant';
import { DELTA_TARGET } from '../../../src/privacy/limits';
import { DEVICE, type BudgetChange, type Charge } from '../../../src/ledger/budget-policy';
import { budgetStatus } from '../../support/budget-recount';
import { exactEpsilon, mu, type Release } from './reference-pld';

function costFor(r: Release): Cost {
  if (r.kind === 'gaussian') return costOf({ name: 'gaussian', epsilon: r.epsilon, delta: r.delta });
  if (r.kind === 'approx')
    // As the aggregate-only release charges its central (ε, δ) (src/release/aggregate-release.ts).
    return {
      epsilon: r.epsilon,
      delta: r.delta,
      rho: 0,
      epsilonUnits: epsilonUnitsUp(r.epsilon),
      rhoUnits: 0,
      deltaUnits: deltaUnitsUp(r.delta),
    };
  if (r.name === 'krr') return costOf({ name: 'krr', epsilon: r.epsilon, k: 10 });
  return costOf({ name: r.name, epsilon: r.epsilon });
}

/** The ε the device's budget shows as spent after these releases (budget-policy.ts). */
function deviceSpent(releases: readonly Release[]): number {
  const changes: BudgetChange[] = [
    { time: 0, target: DEVICE, totalEpsilon: 100, window: { kind: 'lifetime' } },
    { time: 0, target: 'default', totalEpsilon: 100, window: { kind: 'lifetime' } },
  ];
  const charges: Charge[] = releases.map((r, i) => {
    const c = costFor(r);
    return {
      time: i + 1,
      scope: 'default',
      epsilonUnits: c.epsilonUnits,
      rhoUnits: c.rhoUnits,
      ...(c.deltaUnits ? { deltaUnits: c.deltaUnits } : {}),
    };
  });
  return budgetStatus({ changes, charges }, 'default', releases.length + 1).device.spent;
}

const pure = (epsilon: number, name: 'laplace' | 'krr' | 'privunit' = 'laplace'): Release => ({
  kind: 'pure',
  epsilon,
  name,
});
const gauss = (epsilon: number, delta = 1e-6): Release => ({ kind: 'gaussian', epsilon, delta });

const sequences: Record<string, Release[]> = {
  'six pure-ε reports, two Gaussians, a PrivUnit and an (ε, δ) aggregate-only charge': [
    pure(0.3),
    pure(0.7, 'krr'),
    pure(1.1),
    pure(0.5, 'krr'),
    pure(0.9),
    pure(1.3),
    gauss(1),
    gauss(0.5, 1e-7),
    pure(2, 'privunit'),
    { kind: 'approx', epsilon: 1.5, delta: 1e-8 },
  ],
  'six pure-ε reports at ε = 1 and two Gaussians at ε = 1': [...Array(6).fill(pure(1)), gauss(1), gauss(1)],
  'Gaussians only (10 at ε = 0.5)': Array(10).fill(gauss(0.5)),
  'many small releases: 40 at ε = 0.1, 25 at ε = 0.25, 3 Gaussians': [
    ...Array(40).fill(pure(0.1)),
    ...Array(25).fill(pure(0.25, 'privunit')),
    gauss(0.2),
    gauss(0.2),
    gauss(2, 1e-9),
  ],
  'one PrivUnit report': [pure(4, 'privunit')],
};

for (const [name, releases] of Object.entries(sequences)) {
  test(`composed charge within 2 % of the exact PLD composition, never below: ${name}`, () => {
    const exact = exactEpsilon(releases, DELTA_TARGET);
    const charged = deviceSpent(releases);
    assert.ok(charged >= exact, `charged ${charged} below the exact ${exact}`);
    assert.ok(charged <= exact * 1.02, `charged ${charged} more than 2 % above the exact ${exact}`);
    // And far below basic composition of the stated ε whenever more than one release counts.
    const basic = releases.reduce((s, r) => s + r.epsilon, 0);
    if (releases.length > 1) assert.ok(charged < basic, `${charged} vs basic ${basic}`);
    assert.ok(Number.isInteger(charged / EPSILON_GRID), 'on the grid');
  });
}

test('the Gaussian charge is μ²/2 with μ from the analytic Gaussian (independent bisection)', () => {
  for (const [epsilon, delta] of [
    [1, 1e-6],
    [0.01, 1e-15],
    [16, 1e-6],
  ] as const) {
    const c = costOf({ name: 'gaussian', epsilon, delta });
    const m = mu(epsilon, delta);
    assert.ok(Math.abs(c.rho / ((m * m) / 2) - 1) < 1e-9, `ε ${epsilon}, δ ${delta}: ${c.rho} vs ${(m * m) / 2}`);
  }
});
