import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  budgetStatus,
  mayCharge,
  DEFAULT_SCOPE,
  type Charge,
  type ScopeConfig,
} from '../../../src/ledger/budget-policy';
import { retryDelay, BACKOFF_CAP_MS } from '../../../src/outbox/backoff';
import { costOf } from '../../../src/privacy/accountant';

const HOUR = 3_600_000;
const charge = (time: number, epsilon: number): Charge => ({ time, epsilon, delta: 0, rho: (epsilon * epsilon) / 2 });

test('a lifetime budget never refills; remaining and cumulative ε add up', () => {
  const scope: ScopeConfig = { name: 'life', totalEpsilon: 3, window: { kind: 'lifetime' } };
  const charges = [charge(0, 1), charge(10 * 365 * 24 * HOUR, 1)];
  const status = budgetStatus(scope, charges, 20 * 365 * 24 * HOUR);
  assert.deepEqual(
    {
      spent: status.spent,
      remaining: status.remaining,
      cumulative: status.cumulativeEpsilon,
      refillsAt: status.refillsAt,
    },
    { spent: 2, remaining: 1, cumulative: 2, refillsAt: null },
  );
  assert.equal(mayCharge(scope, charges, costOf({ name: 'privunit', epsilon: 1 }), 1e15), true);
  assert.equal(mayCharge(scope, [...charges, charge(5, 1)], costOf({ name: 'privunit', epsilon: 0.001 }), 1e15), false);
  assert.equal(DEFAULT_SCOPE.window.kind, 'lifetime');
});

test('a rolling window refills as charges age out, while the cumulative ε keeps growing', () => {
  const scope: ScopeConfig = { name: 'daily', totalEpsilon: 2, window: { kind: 'rolling', ms: 24 * HOUR } };
  const t0 = 1_000 * HOUR;
  const charges = [charge(t0, 1), charge(t0 + 2 * HOUR, 1)];
  const full = budgetStatus(scope, charges, t0 + 3 * HOUR);
  assert.equal(full.remaining, 0);
  assert.equal(full.refillsAt, t0 + 24 * HOUR, 'refills when the oldest charge leaves the window');
  assert.equal(mayCharge(scope, charges, costOf({ name: 'privunit', epsilon: 0.5 }), t0 + 3 * HOUR), false);
  const afterFirst = budgetStatus(scope, charges, t0 + 24 * HOUR + 1);
  assert.equal(afterFirst.remaining, 1);
  assert.equal(afterFirst.refillsAt, t0 + 26 * HOUR);
  assert.equal(mayCharge(scope, charges, costOf({ name: 'privunit', epsilon: 1 }), t0 + 24 * HOUR + 1), true);
  const later = budgetStatus(scope, [...charges, charge(t0 + 30 * HOUR, 2)], t0 + 60 * HOUR);
  assert.equal(later.remaining, 2);
  assert.equal(later.cumulativeEpsilon, 4, 'the windowed budget is shown with everything released since first use');
});

test('retry delays grow exponentially with full jitter, capped', () => {
  for (let attempt = 0; attempt < 12; attempt++) {
    const ceiling = Math.min(BACKOFF_CAP_MS, 500 * 2 ** attempt);
    assert.ok(retryDelay(attempt, 0.999999) <= ceiling);
    assert.ok(retryDelay(attempt, 0) >= 50);
    assert.ok(retryDelay(attempt, 0.5) >= Math.floor(ceiling / 2) - 1);
  }
  assert.equal(retryDelay(40, 0.999999), Math.floor(0.999999 * BACKOFF_CAP_MS));
});
