// Simulated groups of reports from the privacy core's real mechanisms, reduced to the totals the
// collector keeps. Randomness: the seeded RandomSource of the privacy tests (reproducible runs).
import {
  prepareVector,
  privatizeCategory,
  privatizeVector,
  type CategoryMechanismParams,
  type RandomSource,
  type VectorMechanismParams,
} from '../../../src/privacy/index';
import type { VectorTotals } from '../../../src/analysis/index';
import { seededSource } from '../privacy/seeded-source';

/** A uniform double in [0, 1) from a RandomSource (53 bits). */
export function uniform(source: RandomSource): () => number {
  const words = new Uint32Array(2);
  return () => {
    source.fillUint32(words);
    return (words[0]! * 2 ** 21 + (words[1]! >>> 11)) / 2 ** 53;
  };
}

/** A population of prepared vectors: `atoms` drawn with the given weights (so its mean is known exactly). */
export interface Population {
  readonly atoms: readonly Float64Array[];
  readonly weights: readonly number[];
}

/** d-dimensional vectors built from a seed angle, prepared (unit length) for the mechanism. */
export function population(
  d: number,
  phase: number,
  params: VectorMechanismParams,
  weights = [0.4, 0.3, 0.2, 0.1],
): Population {
  const atoms = weights.map((_, a) =>
    prepareVector(
      Float64Array.from({ length: d }, (_, j) => Math.cos(phase + a + 0.7 * j) + (j === a ? 1.5 : 0)),
      params,
    ),
  );
  return { atoms, weights };
}

export function populationMean(p: Population): Float64Array {
  const mean = new Float64Array(p.atoms[0]!.length);
  p.atoms.forEach((x, a) => x.forEach((v, j) => (mean[j]! += p.weights[a]! * v)));
  return mean;
}

function pick(weights: readonly number[], u: number): number {
  let acc = 0;
  for (let i = 0; i < weights.length; i++) if (u < (acc += weights[i]!)) return i;
  return weights.length - 1;
}

/** The totals of n reports of people drawn independently from `p`, each released by the mechanism. */
export function vectorTotals(
  p: Population,
  n: number,
  params: VectorMechanismParams,
  source: RandomSource,
): VectorTotals {
  const u = uniform(source);
  const d = p.atoms[0]!.length;
  const sums = new Array<number>(d).fill(0);
  const squares = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) {
    const r = privatizeVector(p.atoms[pick(p.weights, u())]!, params, source).vector;
    for (let j = 0; j < d; j++) {
      sums[j]! += r[j]!;
      squares[j]! += r[j]! * r[j]!;
    }
  }
  return { count: n, sums, squares };
}

/** Reported counts of n people whose categories follow `shares`, released by k-RR or OUE. */
export function categoryCounts(
  shares: readonly number[],
  n: number,
  params: CategoryMechanismParams,
  source: RandomSource,
): number[] {
  const u = uniform(source);
  const counts = new Array<number>(params.k).fill(0);
  for (let i = 0; i < n; i++) {
    const { category } = privatizeCategory(pick(shares, u()), params, source);
    if ('value' in category) counts[category.value]!++;
    else category.bits.forEach((b, v) => (counts[v]! += b));
  }
  return counts;
}

export { seededSource };

/** Mean and sample standard deviation. */
export function summary(xs: readonly number[]): { mean: number; sd: number } {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  return { mean, sd: Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1)) };
}
