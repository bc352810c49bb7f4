// The words between the widget frame and Obscura's own window: each commit's delta goes to a host's
// frame narrowed to that host's grant, and the schema takes deltas and refuses what is not one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  deltaMessage,
  hostDelta,
  windowMessage,
  windowMessageSchema,
} from '../../../src/widget/connect/window-protocol';
import { hostGrantName, type LedgerDelta, type LedgerEntry } from '../../../src/release/index';

const shop = hostGrantName('https://shop.example');
const news = hostGrantName('https://news.example');
const entry = (id: string, scope: string, host?: string) =>
  ({ id, scope, ...(host ? { host } : {}) }) as unknown as LedgerEntry;
const status = (scope: string) => ({ scope, total: 4, spent: 1 }) as never;
const lifetime = { kind: 'lifetime' } as const;

const delta: LedgerDelta = {
  kind: 'ledger-delta',
  entries: [entry('a', shop, 'https://shop.example'), entry('b', news, 'https://news.example'), entry('c', 'default')],
  budgets: { device: { total: 10, spent: 3 } as never, deltaTarget: 1e-6, scopes: [status(shop), status(news)] },
  ledgerCount: 42,
  scopes: [
    { name: shop, totalEpsilon: 4, window: lifetime },
    { name: news, totalEpsilon: 4, window: lifetime },
  ],
};

test("a host's frame hears its grant's entries, budget and configuration, never another host's", () => {
  const mine = hostDelta(delta, shop);
  assert.deepEqual(
    mine.entries.map((e) => e.id),
    ['a'],
  );
  assert.deepEqual(
    mine.budgets.scopes.map((s) => s.scope),
    [shop],
  );
  assert.deepEqual(
    mine.scopes?.map((s) => s.name),
    [shop],
  );
  assert.equal(mine.ledgerCount, 42);
  assert.deepEqual(mine.budgets.device, delta.budgets.device);
  const none = hostDelta({ ...delta, scopes: undefined } as unknown as LedgerDelta, hostGrantName('https://x.example'));
  assert.deepEqual([none.entries, none.budgets.scopes, 'scopes' in none], [[], [], false]);
});

test('the window schema takes a delta message and the signals, and refuses a delta that is not one', () => {
  for (const m of [deltaMessage(hostDelta(delta, shop)), windowMessage('ready'), windowMessage('changed')])
    assert.ok(windowMessageSchema.safeParse(m).success, JSON.stringify(m));
  for (const bad of [{ kind: 'ledger-changed' }, null, 1, {}]) {
    const m = { ...deltaMessage(delta), delta: bad };
    assert.equal(windowMessageSchema.safeParse(m).success, false, JSON.stringify(m));
  }
  assert.equal(windowMessageSchema.safeParse({ ...deltaMessage(delta), extra: 1 }).success, false);
});
