import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HandOver } from '../../../src/engine/worker/hand-over';

test('an item after a quiet spell goes at once; the ones close behind go together at the next turn, in order', () => {
  let clock = 1000;
  const sent: number[][] = [];
  const handOver = new HandOver<number>(
    (items) => sent.push(items),
    100,
    () => clock,
  );
  handOver.add(1);
  assert.deepEqual(sent, [[1]], 'the first goes at once');
  clock += 20;
  handOver.add(2);
  clock += 20;
  handOver.add(3);
  assert.deepEqual(sent, [[1]], 'those within the interval wait');
  handOver.flush();
  assert.deepEqual(sent, [[1], [2, 3]], 'sent in order, in one message');
  handOver.flush();
  assert.equal(sent.length, 2, 'nothing held sends nothing');
  clock += 500;
  handOver.add(4);
  assert.deepEqual(sent.at(-1), [4], 'after a quiet spell, at once again');
});

test('held items go when the turn comes, without another item to carry them', async () => {
  const sent: number[][] = [];
  let secondSent = () => {};
  const second = new Promise<void>((resolve) => (secondSent = resolve));
  const handOver = new HandOver<number>((items) => {
    sent.push(items);
    if (sent.length === 2) secondSent();
  }, 5);
  handOver.add(1);
  handOver.add(2);
  assert.deepEqual(sent, [[1]]);
  await second;
  assert.deepEqual(sent, [[1], [2]]);
});
