import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cosine, dot, l2Normalize, mean, norm, subtract } from '../../../eval/vectors';
import { SeededRandom } from '../../../eval/seeded-random';

test('cosine is the angle between directions and ignores length', () => {
  assert.equal(cosine([1, 0], [0, 3]), 0);
  assert.equal(cosine([2, 0], [5, 0]), 1);
  assert.ok(Math.abs(cosine([1, 1], [-2, -2]) + 1) < 1e-12);
  assert.ok(Math.abs(cosine([1, 2, 3], [2, 4, 6]) - 1) < 1e-12);
  assert.equal(cosine([0, 0], [1, 2]), 0);
  assert.throws(() => dot([1], [1, 2]), RangeError);
});

test('l2Normalize gives unit vectors and keeps the zero vector', () => {
  assert.ok(Math.abs(norm(l2Normalize([3, 4])) - 1) < 1e-12);
  assert.deepEqual([...l2Normalize([3, 4])], [0.6, 0.8]);
  assert.deepEqual([...l2Normalize([0, 0])], [0, 0]);
});

test('mean and subtract work component-wise', () => {
  assert.deepEqual(
    [
      ...mean([
        [1, 2],
        [3, 6],
      ]),
    ],
    [2, 4],
  );
  assert.deepEqual(
    subtract([[1, 2]], [1, 1]).map((v) => [...v]),
    [[0, 1]],
  );
  assert.throws(() => mean([]), RangeError);
  assert.throws(() => mean([[1], [1, 2]]), RangeError);
});

test('the seeded generator repeats itself and stays in range', () => {
  const a = new SeededRandom(42);
  const b = new SeededRandom(42);
  const xs = Array.from({ length: 1000 }, () => a.next());
  assert.deepEqual(
    xs,
    Array.from({ length: 1000 }, () => b.next()),
  );
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  assert.ok(Math.abs(xs.reduce((s, x) => s + x, 0) / xs.length - 0.5) < 0.05);
  const ints = Array.from({ length: 1000 }, () => a.int(3, 5));
  assert.deepEqual([...new Set(ints)].sort(), [3, 4, 5]);
  assert.notDeepEqual(
    Array.from({ length: 5 }, () => new SeededRandom(1).next()),
    Array.from({ length: 5 }, () => new SeededRandom(2).next()),
  );
});
