// The budget decision on a ledger an honest-looking caller can build: many small charges at many distinct
// ε (each within the allowed range and within the budget). The decision runs in the release worker before
// every release, so its cost is a denial of service on the device when it grows with the ledger.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideCharge, DEVICE, MIN_WINDOW_MS, type BudgetChange, type Charge } from '../../../src/ledger/budget-policy';
import { costOf } from '../../../src/privacy/accountant';
import { EPSILON_MIN } from '../../../src/privacy/limits';

const LIFETIME = { kind: 'lifetime' } as const;

/** n Laplace charges at ε = 0.01·2^(i/128 mod 1): 128 distinct values in [0.01, 0.02), one every `gap` ms. */
function charges(n: number, gap: number): Charge[] {
  return Array.from({ length: n }, (_, i) => {
    const cost = costOf({ name: 'laplace', epsilon: EPSILON_MIN * 2 ** ((i % 128) / 128) });
    return { time: i * gap, scope: 's', epsilonUnits: cost.epsilonUnits, rhoUnits: 0 };
  });
}

function decisionMs(changes: BudgetChange[], ledger: Charge[]): { ms: number; ok: boolean } {
  const start = performance.now();
  const decision = decideCharge({ changes, charges: ledger }, 's', costOf({ name: 'laplace', epsilon: 0.5 }), 1e12);
  return { ms: performance.now() - start, ok: decision.ok };
}

test('a lifetime ledger of 2000 small charges at 128 distinct ε (basic sum 29, within the budget) is decided in seconds', () => {
  const changes: BudgetChange[] = [
    { seq: 1, time: 0, target: DEVICE, totalEpsilon: 100, window: LIFETIME },
    { seq: 2, time: 0, target: 's', totalEpsilon: 100, window: LIFETIME },
  ];
  const { ms, ok } = decisionMs(changes, charges(2000, 1000));
  assert.equal(ok, true);
  // Seconds, not minutes: measured 2 cores shared, a correct decision takes well under a second.
  assert.ok(ms < 5000, `the decision took ${Math.round(ms)} ms`);
});

test('a one-day rolling budget with 1000 charges over 50 days (20 counting) is decided in seconds', () => {
  const window = { kind: 'rolling', ms: MIN_WINDOW_MS } as const;
  const changes: BudgetChange[] = [
    { seq: 1, time: 0, target: DEVICE, totalEpsilon: 10, window },
    { seq: 2, time: 0, target: 's', totalEpsilon: 10, window },
  ];
  const { ms, ok } = decisionMs(changes, charges(1000, MIN_WINDOW_MS / 20));
  assert.equal(ok, true);
  assert.ok(ms < 5000, `the decision took ${Math.round(ms)} ms`);
});
