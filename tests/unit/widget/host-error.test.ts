// What the host page hears of a refused release: its own scope's numbers, never the device's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideCharge, DEVICE, type BudgetChange, type BudgetState } from '../../../src/ledger/budget-policy';
import { costOf } from '../../../src/privacy/accountant';
import { ObscuraError } from '../../../src/errors';
import { DEVICE_BUDGET_REFUSAL, hostSafeError } from '../../../src/widget/frame/host-error';

const DAY = 86_400_000;
const rolling = { kind: 'rolling', ms: DAY } as const;
const change = (target: string, totalEpsilon: number, seq: number): BudgetChange => ({
  seq,
  time: 0,
  target,
  totalEpsilon,
  window: rolling,
});

/** The device (ε 10 a day) shared by the app's scope and two sites; returns the refusal a charge gets. */
function refusal(state: BudgetState, scope: string, epsilon: number): ObscuraError {
  const d = decideCharge(state, scope, costOf({ name: 'privunit', epsilon }), 5 * 3_600_000);
  assert.ok(!d.ok);
  return d.error;
}

test('a device-wide refusal reaches the host without the device’s remaining ε or refill time', () => {
  const siteA = 'site:https_3A_2F_2Fa.example:default';
  const siteB = 'site:https_3A_2F_2Fb.example:default';
  let state: BudgetState = {
    changes: [change(DEVICE, 10, 1), change('default', 10, 2), change(siteA, 4, 3), change(siteB, 4, 4)],
    charges: [],
  };
  // Another site and the app spend what the device has, at times site A must not learn.
  for (const [scope, epsilon, time] of [
    ['default', 3.5, 1_000],
    [siteB, 3.25, 2_000],
  ] as const) {
    const d = decideCharge(state, scope, costOf({ name: 'privunit', epsilon }), time);
    assert.ok(d.ok);
    state = { ...state, charges: [...state.charges, d.charge] };
  }
  const deviceShort = refusal(state, siteA, 4);
  assert.equal(deviceShort.details?.['budget'], 'device');
  assert.match(deviceShort.message, /3\.25/, 'the ledger itself says how much is left');
  const told = hostSafeError(deviceShort);
  assert.deepEqual(told, { name: 'BudgetExhaustedError', message: DEVICE_BUDGET_REFUSAL });
  assert.doesNotMatch(JSON.stringify(told), /\d/);

  // The host's own scope: its own numbers are its own.
  const scopeShort = refusal(state, siteA, 4.5);
  assert.equal(scopeShort.details?.['budget'], 'scope');
  assert.deepEqual(hostSafeError(scopeShort), { name: scopeShort.name, message: scopeShort.message });

  // The δ cap is device-wide as well.
  const deltaShort = new ObscuraError('BudgetExhaustedError', 'δ 1.2e-7 left', { budget: 'delta' });
  assert.equal(hostSafeError(deltaShort).message, DEVICE_BUDGET_REFUSAL);
  // Any other error passes unchanged.
  assert.deepEqual(hostSafeError(new ObscuraError('DecodeError', 'not an image')), {
    name: 'DecodeError',
    message: 'not an image',
  });
});
