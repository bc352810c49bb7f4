// The dashboard's axis ticks never print over each other ("1" beside "1.05" read "11.05").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spacedTicks } from '../../../collector/dashboard/charts';

test('ticks too close to a rounder one are left out; the round ones and far extremes stay', () => {
  const axis = (min: number, max: number) => (v: number) => 150 + (355 * (v - min)) / (max - min);
  assert.deepEqual(spacedTicks([0, 0.5, 1, 0, 1.05], axis(0, 1.05)), [0, 0.5, 1]);
  assert.deepEqual(spacedTicks([0, 0.5, 1, -0.02, 1], axis(-0.02, 1)), [0, 0.5, 1]);
  assert.deepEqual(spacedTicks([0, 0.5, 1, -1.4, 2.409], axis(-1.4, 2.409)), [-1.4, 0, 0.5, 1, 2.409]);
  const x = axis(-1.4, 2.409);
  const kept = spacedTicks([0, 0.5, 1, -1.4, 2.409], x);
  kept.slice(1).forEach((t, i) => assert.ok(x(t) - x(kept[i]!) >= 34, `${kept[i]} and ${t} overlap`));
});
