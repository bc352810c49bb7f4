import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accuracy, classCentroids, nearestCentroidPredict, nearestNeighbourPredict } from '../../../eval/classify';

const train = {
  vectors: [
    [1, 0.1],
    [1, -0.1],
    [0.1, 1],
    [-0.1, 1],
  ],
  labels: [0, 0, 1, 1],
};

test('1-NN takes the label of the most cosine-similar training vector, whatever its length', () => {
  assert.deepEqual(
    nearestNeighbourPredict(train, [
      [5, 0.4],
      [0.01, 0.3],
      [-1, 3],
    ]),
    [0, 1, 1],
  );
});

test('unit centroids average directions; raw centroids are pulled by long vectors', () => {
  const set = {
    vectors: [
      [10, 0],
      [0, 1],
      [0, 1],
    ],
    labels: [0, 0, 0],
  };
  const unit = classCentroids(set, 'unit').get(0)!;
  const raw = classCentroids(set, 'raw').get(0)!;
  assert.deepEqual(
    [...unit].map((x) => +x.toFixed(6)),
    [0.333333, 0.666667],
  );
  assert.deepEqual(
    [...raw].map((x) => +x.toFixed(6)),
    [3.333333, 0.666667],
  );
});

test('nearest centroid picks the class whose mean direction is closest', () => {
  const centroids = classCentroids(train);
  assert.deepEqual([...centroids.keys()], [0, 1]);
  assert.deepEqual(
    nearestCentroidPredict(centroids, [
      [2, 1],
      [1, 2],
      [0, -1],
    ]),
    [0, 1, 0],
  );
});

test('accuracy is the fraction right; mismatched inputs are refused', () => {
  assert.equal(accuracy([1, 2, 3, 4], [1, 2, 0, 0]), 0.5);
  assert.throws(() => accuracy([1], [1, 2]), RangeError);
  assert.throws(() => nearestNeighbourPredict({ vectors: [[1]], labels: [] }, [[1]]), RangeError);
  assert.throws(() => nearestCentroidPredict(new Map(), [[1]]), RangeError);
});
