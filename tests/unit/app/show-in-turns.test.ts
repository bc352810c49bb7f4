import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShowInTurns } from '../../../src/app/show-in-turns';

test('a result after a quiet spell shows at once; the ones close behind wait for the turn, in order', () => {
  let clock = 1000;
  const shown: number[] = [];
  let turns = 0;
  const showing = new ShowInTurns(
    () => turns++,
    200,
    () => clock,
  );
  showing.add(() => shown.push(1));
  assert.deepEqual(shown, [1], 'the first shows at once');
  assert.equal(turns, 1);
  clock += 50;
  showing.add(() => shown.push(2));
  showing.add(() => shown.push(3));
  assert.deepEqual(shown, [1], 'those within the interval wait');
  showing.flush();
  assert.deepEqual(shown, [1, 2, 3], 'shown in order, all at once');
  assert.equal(turns, 2, 'one progress update for the turn');
  showing.flush();
  assert.equal(turns, 2, 'an empty turn updates nothing');
  clock += 500;
  showing.add(() => shown.push(4));
  assert.deepEqual(shown, [1, 2, 3, 4], 'after a quiet spell, at once again');
});
