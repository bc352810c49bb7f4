// How many releases one budget window can hold, from the grids and the limits the code enforces,
// and what docs/privacy.md says of them: Gaussian releases (the sampler's residual is bounded over
// them) and (ε, δ) releases (their δ adds up to the device's cap).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  composedEpsilonUnits,
  costOf,
  DELTA_GRID,
  deltaUnitsUp,
  epsilonUnitsDown,
  type ChargeTotals,
} from '../../../src/privacy/accountant';
import {
  APPROX_DELTA_CAP,
  APPROX_DELTA_MAX,
  DELTA_MIN,
  DELTA_TARGET,
  DIMS_MAX,
  EPSILON_MIN,
} from '../../../src/privacy/limits';
import { TRIALS } from '../../../src/privacy/mechanisms/discrete-gaussian';
import { MAX_TOTAL_EPSILON } from '../../../src/ledger/budget-policy';

/** The cheapest Gaussian release: ρ grows with ε and with δ, so the lowest of both. */
const cheapest = costOf({ name: 'gaussian', epsilon: EPSILON_MIN, delta: DELTA_MIN });
const budgetUnits = epsilonUnitsDown(MAX_TOTAL_EPSILON);
/** n Gaussian charges as the ledger's totals hold them (accountant.ts). */
const gaussians = (n: number): ChargeTotals => ({
  pure: new Map(),
  pureUnits: 0,
  rhoUnits: n * cheapest.rhoUnits,
  gaussians: n,
  slackUnits: n * cheapest.epsilonUnits,
  deltaUnits: 0,
});
/** Whether n cheapest releases fit the largest total, checked as the ledger does (budget-policy.ts). */
const fits = (n: number) => composedEpsilonUnits(gaussians(n)) <= budgetUnits;

/** The most releases that fit, by bisection. */
function mostReleases(): number {
  let lo = 0;
  let hi = 2 ** 40;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

test('no Gaussian release the limits allow is charged less than at ε = 0.01, δ = 1e-15', () => {
  for (const epsilon of [EPSILON_MIN, 0.02, 0.1, 1, 16])
    for (const delta of [DELTA_MIN, 1e-12, 1e-9, DELTA_TARGET]) {
      const c = costOf({ name: 'gaussian', epsilon, delta });
      assert.ok(c.rhoUnits >= cheapest.rhoUnits && c.epsilonUnits >= cheapest.epsilonUnits, `ε ${epsilon}, δ ${delta}`);
    }
});

test('docs/privacy.md states the number of Gaussian releases a window holds and the residual over them', () => {
  const n = mostReleases();
  assert.ok(fits(n) && !fits(n + 1));
  assert.equal(n, 30_598_983);
  // None of TRIALS proposals accepted: below 0.25^TRIALS a coordinate, DIMS_MAX coordinates a release.
  const perRelease = TRIALS * Math.log2(0.25) + Math.log2(DIMS_MAX);
  assert.equal(perRelease, -84);
  assert.ok(Math.log2(n) + perRelease < -59);
  const doc = readFileSync(new URL('../../../docs/privacy.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
  assert.match(doc, /at most 30 598 983 Gaussian releases/);
  assert.match(doc, /below 30 598 983 · 2⁻⁸⁴ < 2⁻⁵⁹/);
  assert.doesNotMatch(doc, /at most 10⁴ releases/);
});

test('docs/privacy.md states how many (ε, δ) releases at the largest δ fit the device cap: 49, not 50', () => {
  // The ledger refuses a charge that takes the summed δ above the cap (budget-policy.ts); each δ is
  // rounded up to the grid, so 50 × 10⁻⁸ lands a little above 5·10⁻⁷.
  const units = deltaUnitsUp(APPROX_DELTA_MAX);
  const fitsDelta = (n: number) => n * units * DELTA_GRID <= APPROX_DELTA_CAP;
  assert.ok(fitsDelta(49) && !fitsDelta(50));
  const doc = readFileSync(new URL('../../../docs/privacy.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
  assert.match(doc, /so at least 49 such releases fit per window/);
  assert.doesNotMatch(doc, /at least 50 such releases/);
});
