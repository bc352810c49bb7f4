import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparePaired, signTestP } from '../../../eval/paired';

test('only discordant cases are counted', () => {
  const c = comparePaired([1, 1, 0, 0, 1], [1, 0, 1, 0, 0]);
  assert.equal(c.wins, 2);
  assert.equal(c.losses, 1);
  assert.deepEqual(comparePaired([true, false], [true, false]), { wins: 0, losses: 0, p: 1 });
  assert.throws(() => comparePaired([1], [1, 0]), RangeError);
});

test('the sign test matches exact binomial values', () => {
  // n = 10, k = 2: 2 * (1 + 10 + 45) / 1024.
  assert.ok(Math.abs(signTestP(8, 2) - (2 * 56) / 1024) < 1e-12);
  assert.equal(signTestP(2, 8), signTestP(8, 2));
  assert.equal(signTestP(5, 5), 1);
  assert.equal(signTestP(1, 0), 1);
  // n = 6, k = 0: 2 / 64.
  assert.ok(Math.abs(signTestP(6, 0) - 2 / 64) < 1e-12);
  // Large n stays finite and small.
  const p = signTestP(700, 300);
  assert.ok(p > 0 && p < 1e-30);
  assert.throws(() => signTestP(-1, 2), RangeError);
});
