import { test } from 'node:test';
import assert from 'node:assert/strict';
import { averagePrecision, hitAtK, meanAveragePrecision, recallAtK, relevantRanks } from '../../../eval/retrieval';

test('ranks count the items scoring higher', () => {
  assert.deepEqual(relevantRanks({ scores: [0.9, 0.1, 0.5, 0.7], relevant: [2] }), [3]);
  assert.deepEqual(relevantRanks({ scores: [0.9, 0.1, 0.5, 0.7], relevant: [0, 1] }), [1, 4]);
});

test('ignored items are left out of the ranking', () => {
  assert.deepEqual(relevantRanks({ scores: [0.9, 0.1, 0.5, 0.7], relevant: [2], ignore: [0, 3] }), [1]);
  assert.throws(() => relevantRanks({ scores: [1, 2], relevant: [0], ignore: [0] }), /both relevant and ignored/);
});

test('ties with irrelevant items count against the query, so a constant scorer gets the worst rank', () => {
  assert.deepEqual(relevantRanks({ scores: [1, 1, 1, 1], relevant: [0] }), [4]);
  assert.equal(recallAtK([{ scores: [0, 0, 0], relevant: [1] }], 1), 0);
  // Two tied relevant items take consecutive ranks.
  assert.deepEqual(relevantRanks({ scores: [1, 1, 0], relevant: [0, 1] }), [1, 2]);
  // A NaN score (a broken feature vector) ranks last.
  assert.deepEqual(relevantRanks({ scores: [Number.NaN, 0.2, 0.3], relevant: [0] }), [3]);
});

test('average precision follows its definition', () => {
  // Relevant at ranks 1 and 3: (1/1 + 2/3) / 2.
  assert.ok(Math.abs(averagePrecision({ scores: [0.9, 0.8, 0.7, 0.1], relevant: [0, 2] }) - (1 + 2 / 3) / 2) < 1e-12);
  // One relevant item: AP is the reciprocal of its rank.
  assert.equal(averagePrecision({ scores: [0.9, 0.8, 0.7, 0.6], relevant: [3] }), 1 / 4);
  assert.equal(averagePrecision({ scores: [0.9, 0.8], relevant: [0] }), 1);
});

test('recall@k and mAP average over queries', () => {
  const queries = [
    { scores: [0.9, 0.1, 0.2], relevant: [0] }, // rank 1
    { scores: [0.3, 0.9, 0.2], relevant: [0] }, // rank 2
    { scores: [0.1, 0.2, 0.9], relevant: [0] }, // rank 3
  ];
  assert.equal(recallAtK(queries, 1), 1 / 3);
  assert.equal(recallAtK(queries, 2), 2 / 3);
  assert.equal(recallAtK(queries, 3), 1);
  assert.ok(Math.abs(meanAveragePrecision(queries) - (1 + 1 / 2 + 1 / 3) / 3) < 1e-12);
  assert.equal(hitAtK(queries[1]!, 2), 1);
  assert.throws(() => hitAtK(queries[0]!, 0), RangeError);
  assert.throws(() => recallAtK([], 1), RangeError);
  assert.throws(() => relevantRanks({ scores: [1], relevant: [] }), RangeError);
  assert.throws(() => relevantRanks({ scores: [1], relevant: [3] }), RangeError);
});
