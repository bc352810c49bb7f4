import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeAhead } from '../../../src/engine/worker/decode-ahead';

/** A prepare step whose results the test resolves by hand, recording which indices were started. */
function controlled() {
  const started: number[] = [];
  const resolvers = new Map<number, (v: string) => void>();
  const prepare = (i: number) => {
    started.push(i);
    return new Promise<string>((resolve) => resolvers.set(i, resolve));
  };
  return { started, resolvers, prepare };
}

test('keeps a bounded window of inputs in flight ahead of the one taken', async () => {
  const c = controlled();
  const ahead = new DecodeAhead(10, c.prepare, 3);
  const first = ahead.take(0);
  assert.deepEqual(c.started, [0, 1, 2, 3], 'the taken input and the three after it');
  c.resolvers.get(0)!('zero');
  assert.equal(await first, 'zero');
  ahead.take(1);
  assert.deepEqual(c.started, [0, 1, 2, 3, 4], 'one more starts for each one taken');
  assert.equal(ahead.inFlight(), 3, 'those started and not taken');
});

test('starts nothing past the last input, and hands each in order', async () => {
  const c = controlled();
  const ahead = new DecodeAhead(3, c.prepare, 5);
  const taken = [0, 1, 2].map((i) => ahead.take(i));
  assert.deepEqual(c.started, [0, 1, 2]);
  for (const [i, resolve] of c.resolvers) resolve(`item ${i}`);
  assert.deepEqual(await Promise.all(taken), ['item 0', 'item 1', 'item 2']);
  assert.equal(ahead.inFlight(), 0);
});

test('settle waits for the inputs started ahead, so a stopped batch leaves none open', async () => {
  const c = controlled();
  const ahead = new DecodeAhead(10, c.prepare, 2);
  ahead.take(0);
  let settled = false;
  const settling = ahead.settle().then(() => (settled = true));
  await ahead.between();
  assert.equal(settled, false, 'inputs 1 and 2 are still decoding');
  c.resolvers.get(1)!('one');
  c.resolvers.get(2)!('two');
  await settling;
  assert.equal(ahead.inFlight(), 0);
});
