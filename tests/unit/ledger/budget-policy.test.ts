// The budget rule (pure, injected clock): device-wide budget + explicit scopes, exact grid
// accounting, budget changes that never forgive, and each finding of the budget audit refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chargeExpiry,
  DEFAULT_DEVICE_BUDGET,
  DEFAULT_SCOPE,
  DEVICE,
  MIN_WINDOW_MS,
  validateBudgetChange,
  type BudgetChange,
  type WindowPolicy,
} from '../../../src/ledger/budget-policy';
import { budgetOverview, budgetStatus, decideCharge, type BudgetState } from '../../support/budget-recount';
import {
  composedEpsilonUnits,
  costOf,
  deltaUnitsUp,
  DELTA_GRID,
  epsilonUnitsUp,
  EPSILON_GRID,
  totalsOf,
  type Cost,
} from '../../../src/privacy/accountant';
import { APPROX_DELTA_CAP, APPROX_DELTA_MAX, EPSILON_MIN } from '../../../src/privacy/limits';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LIFETIME: WindowPolicy = { kind: 'lifetime' };

let seq = 0;
const change = (time: number, target: string, totalEpsilon: number, window: WindowPolicy = LIFETIME): BudgetChange => ({
  seq: ++seq,
  time,
  target,
  totalEpsilon,
  window,
});

/** The ledger as the app creates it: device ε = 10 lifetime, scope "default" ε = 10. */
function freshState(...scopes: string[]): BudgetState {
  return {
    changes: [
      change(0, DEVICE, DEFAULT_DEVICE_BUDGET.totalEpsilon),
      change(0, DEFAULT_SCOPE.name, DEFAULT_SCOPE.totalEpsilon),
      ...scopes.map((s) => change(0, s, 10)),
    ],
    charges: [],
  };
}

/** Applies releases of `cost` while they are accepted; returns the state and how many were. */
function spend(state: BudgetState, scope: string, cost: Cost, now: number, max = 100_000) {
  let charges = [...state.charges];
  let accepted = 0;
  let lastError: { name: string } | undefined;
  for (let i = 0; i < max; i++) {
    const d = decideCharge({ ...state, charges }, scope, cost, now);
    if (!d.ok) {
      lastError = d.error;
      break;
    }
    charges = [...charges, d.charge];
    accepted++;
  }
  return { state: { ...state, charges }, accepted, lastError };
}

const pure = (epsilon: number) => costOf({ name: 'privunit', epsilon });

/**
 * What n releases at ε are charged at the device's δ (accountant.ts): n pure releases of ε = 1 compose
 * to a hair under n (every one revealing its bit has probability far above δ), so they are charged n.
 */
const composed = (n: number, epsilon: number) =>
  composedEpsilonUnits(totalsOf(Array(n).fill(pure(epsilon)))) * EPSILON_GRID;

test('a lifetime budget never refills; remaining and cumulative ε add up exactly on the grid', () => {
  let state = freshState();
  state = spend(state, 'default', pure(1), 0, 3).state;
  const status = budgetStatus(state, 'default', 20 * 365 * DAY);
  const three = composed(3, 1);
  assert.equal(three, 3);
  assert.deepEqual(
    {
      spent: status.spent,
      remaining: status.remaining,
      cumulative: status.cumulativeEpsilon,
      refills: status.refillsAt,
    },
    { spent: three, remaining: 10 - three, cumulative: three, refills: null },
  );
  assert.equal(status.device.spent, three);
  assert.equal(DEFAULT_SCOPE.window.kind, 'lifetime');
  assert.equal(DEFAULT_DEVICE_BUDGET.totalEpsilon, 10);
});

test('finding 2: five scopes of ε = 10 each release at most the device budget of ε = 10 in all', () => {
  const scopes = ['a', 'b', 'c', 'd', 'e'];
  let state = freshState(...scopes);
  let released = 0;
  for (let round = 0; round < 20; round++) {
    for (const s of scopes) {
      const d = decideCharge(state, s, pure(1), round);
      if (d.ok) {
        state = { ...state, charges: [...state.charges, d.charge] };
        released += 1;
      } else {
        assert.equal(d.error.name, 'BudgetExhaustedError');
        assert.equal((d.error.details as { budget: string }).budget, 'device');
      }
    }
  }
  assert.equal(released, 10, 'the device budget caps every scope together');
  const left = budgetStatus(state, 'e', 100);
  assert.ok(left.remaining < EPSILON_MIN, 'a scope with its own ε left shows what it can release: not one more');
  assert.equal(left.remaining, 10 - composed(10, 1));
  assert.equal(left.scopeRemaining, 10 - composed(2, 1));
});

test('finding 2: an unknown scope is refused with UnknownScopeError and never created on the fly', () => {
  const state = freshState();
  const d = decideCharge(state, 'made-up', pure(1), 0);
  assert.equal(d.ok, false);
  assert.equal(!d.ok && d.error.name, 'UnknownScopeError');
  assert.throws(() => budgetStatus(state, 'made-up', 0), { name: 'UnknownScopeError' });
  assert.throws(() => budgetStatus(state, DEVICE, 0), { name: 'UnknownScopeError' }, 'the device is not a scope');
});

test('a charge must fit the scope as well as the device', () => {
  const state: BudgetState = { changes: [...freshState().changes, change(0, 'small', 0.5)], charges: [] };
  const first = spend(state, 'small', pure(0.25), 0);
  assert.equal(first.accepted, 2);
  assert.equal(first.lastError?.name, 'BudgetExhaustedError');
  assert.equal(
    budgetStatus(first.state, 'default', 0).device.spent,
    composed(2, 0.25),
    'scope charges count on the device',
  );
});

test('finding 1: after the budget is spent, no release is accepted, however small (integer grid)', () => {
  const spent = spend(freshState(), 'default', pure(1), 0);
  assert.equal(spent.accepted, 10);
  assert.ok(budgetStatus(spent.state, 'default', 0).remaining < EPSILON_MIN);
  // The smallest ε a release may state is refused once nothing is left...
  const tiny = decideCharge(spent.state, 'default', pure(0.01), 0);
  assert.equal(!tiny.ok && tiny.error.name, 'BudgetExhaustedError');
  // ...and ε = 1e-16 cannot even be priced (the floor is in the privacy core).
  assert.throws(() => pure(1e-16), { name: 'InvalidParameterError' });
  // Composed by their PLD, far more than the 999 of basic composition fit at ε = 0.01: the ledger takes
  // exactly those whose composition fits (found by bisection) and refuses the next one.
  let lo = 999;
  let hi = 100_000;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (composed(mid, 0.01) <= 10) lo = mid;
    else hi = mid;
  }
  assert.ok(lo > 30_000 && lo < hi, `${lo} releases at ε = 0.01`);
  const charge = { time: 0, scope: 'default', epsilonUnits: pure(0.01).epsilonUnits, rhoUnits: 0 };
  const before = { ...freshState(), charges: Array(lo - 1).fill(charge) };
  const last = decideCharge(before, 'default', pure(0.01), 0);
  assert.ok(last.ok, 'the last one that fits');
  const next = decideCharge({ ...before, charges: [...before.charges, last.charge] }, 'default', pure(0.01), 0);
  assert.equal(!next.ok && next.error.name, 'BudgetExhaustedError');
});

test('finding 1: Gaussian releases are charged as their PLD at the device δ; δ above the target is refused', () => {
  assert.throws(() => costOf({ name: 'gaussian', epsilon: 1e-9, delta: 0.9 }), { name: 'InvalidParameterError' });
  assert.throws(() => costOf({ name: 'gaussian', epsilon: 1, delta: 1e-5 }), { name: 'InvalidParameterError' });
  const gauss = costOf({ name: 'gaussian', epsilon: 1, delta: 1e-6 });
  const run = spend(freshState(), 'default', gauss, 0);
  // μ² composes: more than 10 releases at ε = 1 fit, but their composition at δ = 1e-6 stays ≤ 10.
  assert.ok(run.accepted > 50 && run.accepted < 100, `${run.accepted} Gaussian releases at ε = 1`);
  const status = budgetStatus(run.state, 'default', 0);
  assert.ok(status.spent <= 10 && status.device.spent <= 10);
  // Mixed: pure ε and Gaussians draw from the same device budget.
  const mixed = spend(spend(freshState(), 'default', pure(5), 0, 1).state, 'default', gauss, 0);
  assert.ok(mixed.accepted < run.accepted / 2);
});

test('budget changes never forgive: raising a total keeps what was spent', () => {
  let state = spend(freshState(), 'default', pure(1), 0).state;
  state = { ...state, changes: [...state.changes, change(10, DEVICE, 12), change(10, 'default', 12)] };
  const status = budgetStatus(state, 'default', 20);
  assert.equal(status.spent, composed(10, 1));
  assert.equal(status.remaining, 12 - composed(10, 1));
});

test('lifetime → rolling day: earlier charges still count for a full window from the change', () => {
  const t0 = 1000 * DAY;
  let state = spend(freshState(), 'default', pure(1), t0).state; // 10 at t0: all spent
  const c = t0 + 30 * DAY;
  const rolling: WindowPolicy = { kind: 'rolling', ms: DAY };
  state = { ...state, changes: [...state.changes, change(c, DEVICE, 10, rolling), change(c, 'default', 10, rolling)] };
  assert.ok(budgetStatus(state, 'default', c).remaining < EPSILON_MIN, 'not forgiven at the switch');
  assert.ok(budgetStatus(state, 'default', c + DAY - 1).remaining < EPSILON_MIN, 'nor during the first window');
  assert.equal(budgetStatus(state, 'default', c + DAY - 1).refillsAt, c + DAY);
  assert.equal(
    budgetStatus(state, 'default', c + DAY).remaining,
    10,
    'they age out of a window starting at the change',
  );
  assert.equal(
    budgetStatus(state, 'default', c + DAY).cumulativeEpsilon,
    composed(10, 1),
    'and stay in the cumulative',
  );
});

test('a shorter window never ends a charge earlier; a change to lifetime keeps counting charges forever', () => {
  const week: WindowPolicy = { kind: 'rolling', ms: 7 * DAY };
  const day: WindowPolicy = { kind: 'rolling', ms: DAY };
  const changes = [change(0, 's', 10, week), change(2 * DAY, 's', 10, day)];
  assert.equal(chargeExpiry(DAY, changes), 8 * DAY, 'a charge under the week-long window keeps its week');
  assert.equal(chargeExpiry(3 * DAY, changes), 4 * DAY, 'a charge after the change gets the new window');
  const back = [...changes, change(3 * DAY, 's', 10, LIFETIME)];
  assert.equal(chargeExpiry(DAY, back), Infinity, 'still counting at the change to lifetime: counts forever');
  assert.equal(chargeExpiry(DAY, [change(0, 's', 10, day), change(5 * DAY, 's', 10, LIFETIME)]), 2 * DAY);
});

test('the budget clock never runs backwards: a clock set back cannot make a charge younger', () => {
  const day: WindowPolicy = { kind: 'rolling', ms: DAY };
  const base: BudgetState = { changes: [change(0, DEVICE, 10, day), change(0, 'r', 10, day)], charges: [] };
  const state = spend(base, 'r', pure(1), 10 * DAY).state;
  // The clock is set back a year: the charges still count, and a new charge is dated no earlier than them.
  const back = 10 * DAY - 365 * DAY;
  assert.ok(budgetStatus(state, 'r', back).remaining < EPSILON_MIN);
  const d = decideCharge({ ...state, charges: state.charges.slice(0, 9) }, 'r', pure(1), back);
  assert.ok(d.ok && d.charge.time === 10 * DAY);
});

test('budget changes are validated: totals within [0, 100], a rolling window at least a day', () => {
  const bad: BudgetChange[] = [
    change(0, 'x', -1),
    change(0, 'x', Number.NaN),
    change(0, 'x', 1e9),
    change(0, 'x', 10, { kind: 'rolling', ms: 1 }),
    change(0, 'x', 10, { kind: 'rolling', ms: MIN_WINDOW_MS - 1 }),
    change(0, 'x', 10, { kind: 'rolling', ms: Number.POSITIVE_INFINITY }),
    change(0, 'no spaces', 10),
    change(0, DEVICE, 10, { kind: 'forever' } as unknown as WindowPolicy),
  ];
  for (const c of bad)
    assert.throws(() => validateBudgetChange(c), { name: 'InvalidParameterError' }, JSON.stringify(c));
  assert.doesNotThrow(() => validateBudgetChange(change(0, 'x', 10, { kind: 'rolling', ms: MIN_WINDOW_MS })));
  assert.doesNotThrow(() => validateBudgetChange(change(0, DEVICE, 0)));
});

test('the overview lists the device and every created scope; the device counts all of their charges', () => {
  const state = freshState('photos');
  const charges = [
    { time: 1, scope: 'default', epsilonUnits: 2 / EPSILON_GRID, rhoUnits: 0 },
    { time: 2, scope: 'photos', epsilonUnits: 3 / EPSILON_GRID, rhoUnits: 0 },
  ];
  const overview = budgetOverview({ ...state, charges }, 10);
  const [two, three] = [composed(1, 2), composed(1, 3)];
  const both = composedEpsilonUnits(totalsOf(charges)) * EPSILON_GRID;
  assert.deepEqual([both, two, three], [5, 2, 3]);
  assert.deepEqual(
    overview.scopes.map((s) => [s.scope, s.spent, s.scopeRemaining, s.remaining]),
    [
      ['default', two, 10 - two, 10 - both],
      ['photos', three, 10 - three, 10 - both],
    ],
  );
  assert.deepEqual([overview.device.spent, overview.device.remaining, overview.device.releases], [both, 10 - both, 2]);
  assert.equal(overview.deltaTarget, 1e-6);
});

test('(ε, δ) charges add their δ device-wide, at most APPROX_DELTA_CAP, taken off the rest’s δ', () => {
  const delta = APPROX_DELTA_MAX;
  const aggregate = (epsilon: number): Cost => ({
    epsilon,
    delta,
    rho: 0,
    epsilonUnits: epsilonUnitsUp(epsilon),
    rhoUnits: 0,
    deltaUnits: deltaUnitsUp(delta),
  });
  const fits = Math.floor(APPROX_DELTA_CAP / (deltaUnitsUp(delta) * DELTA_GRID));
  assert.ok(fits >= 49 && fits <= 50, `${fits}`);
  // Tiny ε per release, so that only δ can stop them; five scopes, so that only the device's δ can.
  const scopes = ['a', 'b', 'c', 'd', 'e'];
  let state = freshState(...scopes);
  let accepted = 0;
  let refusal: { name: string; message: string; details?: Record<string, unknown> } | undefined;
  for (let round = 0; round < 20 && !refusal; round++) {
    for (const scope of scopes) {
      const d = decideCharge(state, scope, aggregate(0.01), 0);
      if (!d.ok) {
        refusal = d.error;
        break;
      }
      state = { ...state, charges: [...state.charges, d.charge] };
      accepted++;
    }
  }
  assert.equal(accepted, fits);
  assert.equal(refusal?.name, 'BudgetExhaustedError');
  assert.equal(refusal?.details?.['budget'], 'delta');
  assert.match(refusal!.message, /δ for \(ε, δ\) releases/);
  const device = budgetStatus(state, 'a', 0).device;
  assert.ok(device.deltaSpent <= APPROX_DELTA_CAP && device.deltaSpent > APPROX_DELTA_CAP - 2 * delta);
  assert.ok(device.remaining > 9, 'ε was not what stopped them');

  // The rest is composed at what δ is left, not at the full target: a Gaussian release after them is
  // charged the composition at 10⁻⁶ − Σδ, which is more than at 10⁻⁶.
  const gaussian = costOf({ name: 'gaussian', epsilon: 1, delta: 1e-7 });
  const d = decideCharge(state, 'default', gaussian, 0);
  assert.ok(d.ok, 'a Gaussian release still fits');
  const totals = totalsOf([...state.charges, d.charge]);
  const atLeft = composedEpsilonUnits(totals, 1e-6 - totals.deltaUnits * DELTA_GRID);
  assert.equal(d.after.device.spent, atLeft * EPSILON_GRID);
  assert.ok(atLeft > composedEpsilonUnits(totals, 1e-6), 'less δ left costs more ε');
  // Pure releases are untouched by the δ cap.
  assert.ok(decideCharge(state, 'default', pure(1), 0).ok);
});
