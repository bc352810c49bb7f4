/**
 * Randomized response over a public codebook of k categories (Warner 1965; Kairouz,
 * Bonawitz, Ramage 2016 for k-RR; Wang, Blocki, Li, Jha 2017 for OUE), with the
 * unbiased frequency estimators f̂_v = (c_v/n − q) / (p − q).
 */
import type { RandomDraws } from '../random/draws';
import { requireInteger, requirePositiveFinite } from '../errors';

/** k-RR: the true category with probability p = e^ε/(e^ε+k−1), each other one with q = 1/(e^ε+k−1). */
export function krrProbabilities(epsilon: number, k: number): { p: number; q: number } {
  requirePositiveFinite('epsilon', epsilon);
  requireInteger('k', k, 2, 1 << 20);
  const e = Math.exp(epsilon);
  return { p: e / (e + k - 1), q: 1 / (e + k - 1) };
}

export function krr(value: number, epsilon: number, k: number, draws: RandomDraws): number {
  requireInteger('category', value, 0, k - 1);
  const { p } = krrProbabilities(epsilon, k);
  // Both draws are made and one is selected by arithmetic, so the time does not tell whether the true
  // category was kept (int's rare redraw depends on k alone, never on either outcome).
  const keep = draws.bernoulli(p);
  const other = draws.int(k - 1);
  const shifted = other + Number(other >= value);
  return keep * value + (1 - keep) * shifted;
}

/** OUE: bit v is 1 with probability 1/2, every other bit with q = 1/(e^ε+1). */
export function oueProbabilities(epsilon: number): { p: number; q: number } {
  requirePositiveFinite('epsilon', epsilon);
  return { p: 0.5, q: 1 / (Math.exp(epsilon) + 1) };
}

export function oue(value: number, epsilon: number, k: number, draws: RandomDraws): Uint8Array {
  requireInteger('k', k, 2, 1 << 20);
  requireInteger('category', value, 0, k - 1);
  const { p, q } = oueProbabilities(epsilon);
  const bits = new Uint8Array(k);
  // Each bit's probability chosen by arithmetic (exact: one term is 0), not a branch at the true category.
  for (let i = 0; i < k; i++) {
    const isValue = Number(i === value);
    bits[i] = draws.bernoulli(isValue * p + (1 - isValue) * q);
  }
  return bits;
}

/** Unbiased frequency estimates from per-category counts of n reports (k-RR: reported value; OUE: bit set). */
export function estimateFrequencies(counts: ArrayLike<number>, n: number, p: number, q: number): Float64Array {
  return Float64Array.from(counts, (c) => (c / n - q) / (p - q));
}

/** Variance of one frequency estimate with true frequency f (Wang et al. 2017, eq. 2 generalised). */
export function frequencyVariance(f: number, n: number, p: number, q: number): number {
  const prob = f * p + (1 - f) * q;
  return (prob * (1 - prob)) / (n * (p - q) * (p - q));
}
