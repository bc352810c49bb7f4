import { cosine, l2Normalize, mean, type Vector } from './vectors';

/**
 * Training-free classifiers over feature vectors, scored by cosine similarity:
 * they measure how well a feature space separates classes without fitting anything.
 */

export interface Labelled {
  readonly vectors: readonly Vector[];
  readonly labels: ArrayLike<number>;
}

/** Label of the most cosine-similar training vector for each query (ties: the lowest index). */
export function nearestNeighbourPredict(train: Labelled, queries: readonly Vector[]): number[] {
  checkLabelled(train);
  const unitTrain = train.vectors.map(l2Normalize);
  return queries.map((q) => {
    const u = l2Normalize(q);
    let best = -Infinity;
    let label = -1;
    unitTrain.forEach((t, i) => {
      let s = 0;
      for (let j = 0; j < u.length; j++) s += u[j]! * t[j]!;
      if (s > best) {
        best = s;
        label = train.labels[i]!;
      }
    });
    return label;
  });
}

export type CentroidOf = 'unit' | 'raw';

/**
 * One centroid a class. `unit` (the default) averages the L2-normalised vectors: the
 * mean direction that an aggregator estimates from privatised unit vectors. `raw`
 * averages the vectors as they are.
 */
export function classCentroids(train: Labelled, of: CentroidOf = 'unit'): Map<number, Float64Array> {
  checkLabelled(train);
  const byClass = new Map<number, Vector[]>();
  train.vectors.forEach((v, i) => {
    const label = train.labels[i]!;
    const list = byClass.get(label) ?? [];
    list.push(of === 'unit' ? l2Normalize(v) : v);
    byClass.set(label, list);
  });
  const centroids = new Map<number, Float64Array>();
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) centroids.set(label, mean(byClass.get(label)!));
  return centroids;
}

/** Label of the most cosine-similar class centroid for each query (ties: the lowest label). */
export function nearestCentroidPredict(centroids: ReadonlyMap<number, Vector>, queries: readonly Vector[]): number[] {
  if (centroids.size === 0) throw new RangeError('no centroids');
  return queries.map((q) => {
    let best = -Infinity;
    let label = -1;
    for (const [l, c] of centroids) {
      const s = cosine(q, c);
      if (s > best) {
        best = s;
        label = l;
      }
    }
    return label;
  });
}

/** Fraction of predictions equal to the truth. */
export function accuracy(predicted: ArrayLike<number>, truth: ArrayLike<number>): number {
  if (predicted.length !== truth.length)
    throw new RangeError(`${predicted.length} predictions for ${truth.length} labels`);
  if (truth.length === 0) throw new RangeError('no predictions');
  let right = 0;
  for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) right++;
  return right / truth.length;
}

function checkLabelled(set: Labelled): void {
  if (set.vectors.length !== set.labels.length)
    throw new RangeError(`${set.vectors.length} vectors but ${set.labels.length} labels`);
  if (set.vectors.length === 0) throw new RangeError('no training vectors');
}
