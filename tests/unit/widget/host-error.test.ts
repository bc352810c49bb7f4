// What the host page hears of an error: a name and a fixed sentence, nothing of the person's files or budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEVICE, type BudgetChange } from '../../../src/ledger/budget-policy';
import { decideCharge, type BudgetState } from '../../support/budget-recount';
import { costOf } from '../../../src/privacy/accountant';
import { ERROR_NAMES, ObscuraError } from '../../../src/errors';
import {
  DEVICE_BUDGET_REFUSAL,
  hostSafeError,
  SCOPE_BUDGET_REFUSAL,
  UNKNOWN_ERROR,
} from '../../../src/widget/frame/host-error';
import { configureRefusal } from '../../../src/widget/frame/host-link';
import { frameMessage, hostMessageSchema, isFrameMessage } from '../../../src/widget/protocol';
import { hostScopeName } from '../../../src/widget/frame/host-scope';
import { WIDGET_ATTRIBUTES } from '../../../src/widget/attributes';
// The report schema's zod (not zod/mini) shares zod's global locale: loaded into a realm, it makes every
// schema's messages name keys and values. The frame's realm may load it (training and aggregate releases).
import '../../../src/report/schema';

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

  // The host's own scope: a fixed sentence too (its numbers reach the host as obscura-budget).
  const scopeShort = refusal(state, siteA, 4.5);
  assert.equal(scopeShort.details?.['budget'], 'scope');
  assert.deepEqual(hostSafeError(scopeShort), { name: 'BudgetExhaustedError', message: SCOPE_BUDGET_REFUSAL });

  // The δ cap is device-wide as well.
  const deltaShort = new ObscuraError('BudgetExhaustedError', 'δ 1.2e-7 left', { budget: 'delta' });
  assert.equal(hostSafeError(deltaShort).message, DEVICE_BUDGET_REFUSAL);
});

/** What an error's own message may hold and the host must not learn. */
const PRIVATE = ['holiday-2019.jpg', '4.2 MB', '4404019 bytes', '6000x4000', '6000×4000', '2026-11-03T09:15:42.123Z'];
const LEAKY = `holiday-2019.jpg (4.2 MB, 4404019 bytes, 6000x4000 or 6000×4000) at 2026-11-03T09:15:42.123Z`;

test('every error name reaches the host with a fixed message: no file name, size, dimension or time', () => {
  const told = new Map<string, string>();
  for (const name of ERROR_NAMES) {
    for (const details of [undefined, { budget: 'scope' }, { budget: 'device' }, { attribute: 'codebook' }]) {
      const out = hostSafeError(new ObscuraError(name, `${name}: ${LEAKY}`, { ...details, file: LEAKY }));
      assert.equal(out.name, name);
      for (const secret of PRIVATE) assert.ok(!out.message.includes(secret), `${name} told the host ${secret}`);
      assert.doesNotMatch(out.message, /\d/, `${name}: ${out.message}`);
      if (details === undefined) told.set(name, out.message);
    }
    // The same name always says the same thing, whatever the error's own message was.
    assert.equal(hostSafeError(new ObscuraError(name, 'something else entirely')).message, told.get(name));
  }
  assert.equal(told.size, ERROR_NAMES.length);
  // Errors rebuilt after crossing a worker (plain objects) are treated the same.
  assert.deepEqual(
    hostSafeError({ name: 'DecodeError', message: LEAKY }),
    hostSafeError(new ObscuraError('DecodeError', 'x')),
  );
});

test('a name outside the table, or a thrown non-error, becomes ObscuraError with a generic message', () => {
  for (const err of [new TypeError(LEAKY), new Error(LEAKY), { name: LEAKY, message: LEAKY }, LEAKY, undefined, null]) {
    assert.deepEqual(hostSafeError(err), UNKNOWN_ERROR);
  }
});

test('a host attribute error names the attribute, from a fixed list, and nothing the host did not write', () => {
  for (const attribute of WIDGET_ATTRIBUTES) {
    const err = new ObscuraError('InvalidParameterError', LEAKY, { attribute });
    assert.equal(hostSafeError(err).message, `the widget's ${attribute} attribute cannot be used here`);
  }
  const forged = new ObscuraError('InvalidParameterError', LEAKY, { attribute: 'holiday-2019.jpg' });
  assert.equal(hostSafeError(forged).message, hostSafeError(new ObscuraError('InvalidParameterError', 'x')).message);
  // The host's own refused configure speaks in the schema's keys only, even of values naming a file.
  const configs = [
    { scope: LEAKY },
    { codebook: 'holiday-2019.jpg/4.2 MB' },
    { endpoint: LEAKY },
    { 'holiday-2019.jpg': 1 },
    { epsilon: LEAKY },
  ];
  for (const config of configs) {
    const parsed = hostMessageSchema.safeParse({ protocol: 'obscura-widget', v: 1, type: 'configure', config });
    assert.ok(!parsed.success);
    const message = configureRefusal(parsed.error);
    for (const secret of PRIVATE) assert.ok(!message.includes(secret), message);
  }
  const unknownKey = hostMessageSchema.safeParse({
    protocol: 'obscura-widget',
    v: 1,
    type: 'configure',
    config: { 'holiday-2019.jpg': 1 },
  });
  assert.equal(configureRefusal(unknownKey.error!), 'configure: config: unknown key');
});

test('a declared-task refusal gives the host the scope to declare, only when it is the host’s own', () => {
  const origin = 'https://shop.example';
  const own = hostScopeName(origin, 'photos');
  for (const name of ['UndeclaredScopeError', 'TaskMismatchError'] as const) {
    const err = new ObscuraError(name, LEAKY, { attribute: 'scope', scope: own, file: LEAKY });
    const told = hostSafeError(err, origin);
    // The message stays the fixed sentence; the name travels beside it.
    assert.deepEqual(told, { name, message: hostSafeError(new ObscuraError(name, 'x')).message, scope: own });
    assert.ok(isFrameMessage(frameMessage({ type: 'error', error: told })));
    // Another host's scope, the app's own, or no origin to check it against: no scope at all.
    for (const [scope, host] of [
      [hostScopeName('https://bank.example', 'photos'), origin],
      ['default', origin],
      [own, undefined],
    ] as const) {
      const out = hostSafeError(new ObscuraError(name, LEAKY, { scope }), host);
      assert.deepEqual(Object.keys(out).sort(), ['message', 'name'], JSON.stringify(out));
    }
  }
  // Other errors never carry a scope, whatever their details say.
  const budget = new ObscuraError('BudgetExhaustedError', LEAKY, { budget: 'scope', scope: own });
  assert.deepEqual(hostSafeError(budget, origin), { name: 'BudgetExhaustedError', message: SCOPE_BUDGET_REFUSAL });
});
