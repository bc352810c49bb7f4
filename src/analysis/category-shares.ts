/**
 * A group's category shares as a reader should see them: the unbiased estimate, its projection
 * onto the probability simplex, an exact confidence interval, and a warning when the group is
 * too small for the shares to mean much.
 *
 * - Estimate: f̂_v = (c_v/n − q)/(p − q) (Wang, Blocki, Li, Jha 2017). Unbiased, so it can fall
 *   outside [0, 1] and the k estimates need not sum to 1 (OUE), most of all at small n.
 * - Projection: the closest point of {f ≥ 0, Σf = 1} in Euclidean distance (Duchi, Shalev-Shwartz,
 *   Singer, Chandra 2008); it is "Norm-Sub" of Wang, Lopuhaä-Zwakenberg et al. 2020 (negative
 *   shares to 0, one common amount taken from the rest), which they found the most accurate of
 *   the consistent post-processings. Post-processing: it costs no privacy. It is biased, so
 *   estimates to be pooled or compared stay the unbiased ones.
 * - Interval: a report counts for v with probability π_v = q + f_v(p − q), so among n people
 *   drawn independently from the population, c_v ~ Binomial(n, π_v). The Clopper–Pearson interval
 *   of π_v (each tail ≤ (1 − level)/2 for every n, not only asymptotically) is mapped through the
 *   affine bijection to f_v and cut to [0, 1], which holds f_v, so the cut costs no coverage. For
 *   a fixed set of people, c_v is a sum of Bernoulli(p) and Bernoulli(q) counts, whose tails beyond
 *   one count of the mean are lighter than the binomial's (Hoeffding 1956), so it stays conservative.
 * - Small n: the group is flagged while a share's interval can be wider than ±SMALL_SAMPLE_HALF_WIDTH
 *   (normal approximation at the widest π in [q, p]), with the count at which it no longer would be.
 */
import { incompleteBeta } from '../privacy/math/special';
import { normalQuantile } from './distributions';
import { invalid } from './errors';
import type { CategoryTotals } from './totals';

/** Half-width of a share's interval (in share units) beyond which a group counts as small. */
export const SMALL_SAMPLE_HALF_WIDTH = 0.1;

export interface CategoryShare {
  /** The unbiased estimate f̂_v (may lie outside [0, 1]). */
  readonly estimate: number;
  /** The share after projecting all k estimates onto the simplex (in [0, 1]; they sum to 1). */
  readonly projected: number;
  /** Exact (Clopper–Pearson) interval of the share at the stated level, within [0, 1]. */
  readonly interval: [number, number];
}

export interface CategoryShares {
  readonly level: number;
  readonly shares: CategoryShare[];
  /** The count from which every share's interval is within ±SMALL_SAMPLE_HALF_WIDTH (normal approximation). */
  readonly minimumCount: number;
  /** True while count < minimumCount. */
  readonly smallSample: boolean;
}

/** Shares of one group; throws InvalidParameterError unless 0 ≤ q < p ≤ 1 and every count is an integer in [0, n]. */
export function categoryShares(t: CategoryTotals, level = 0.95): CategoryShares {
  const { p, q } = t;
  const n = t.count;
  if (!(q >= 0 && p > q && p <= 1)) throw invalid('p, q', '0 ≤ q < p ≤ 1', [p, q]);
  if (!(level > 0 && level < 1)) throw invalid('level', 'in (0, 1)', level);
  if (!Number.isInteger(n) || n < 0) throw invalid('count', 'a non-negative integer', n);
  for (const c of t.counts)
    if (!Number.isInteger(c) || c < 0 || c > n) throw invalid('counts', `integers from 0 to ${n}`, c);
  const estimates = t.counts.map((c) => (n === 0 ? 0 : (c / n - q) / (p - q)));
  const projected = projectOntoSimplex(estimates);
  const alpha = 1 - level;
  const toShare = (pi: number) => Math.min(1, Math.max(0, (pi - q) / (p - q)));
  const shares = t.counts.map((c, v): CategoryShare => {
    const { lower, upper } = clopperPearson(c, n, alpha);
    return { estimate: estimates[v]!, projected: projected[v]!, interval: [toShare(lower), toShare(upper)] };
  });
  const minimumCount = smallSampleBound(p, q, level);
  return { level, shares, minimumCount, smallSample: n < minimumCount };
}

/** The count below which some share's interval may be wider than ±SMALL_SAMPLE_HALF_WIDTH. */
function smallSampleBound(p: number, q: number, level: number): number {
  const z = normalQuantile(1 - (1 - level) / 2);
  const widest = q <= 0.5 && 0.5 <= p ? 0.25 : Math.max(p * (1 - p), q * (1 - q));
  return Math.ceil((z * z * widest) / (SMALL_SAMPLE_HALF_WIDTH * SMALL_SAMPLE_HALF_WIDTH * (p - q) * (p - q)));
}

/**
 * Clopper–Pearson bounds of a binomial proportion from c successes in n trials, each tail ≤ alpha/2:
 * lower solves P(X ≥ c | π) = alpha/2, upper solves P(X ≤ c | π) = alpha/2 (n = 0: [0, 1]).
 */
export function clopperPearson(c: number, n: number, alpha: number): { lower: number; upper: number } {
  // P(X ≥ c | π) = I_π(c, n − c + 1) and P(X ≤ c | π) = 1 − I_π(c + 1, n − c), both monotone in π.
  const lower = c === 0 ? 0 : bisect((pi) => incompleteBeta(pi, c, n - c + 1) >= alpha / 2);
  const upper = c === n ? 1 : bisect((pi) => 1 - incompleteBeta(pi, c + 1, n - c) <= alpha / 2);
  return { lower, upper };
}

/** The point in [0, 1] where `above` turns from false to true (it must be monotone), to 2^−60. */
function bisect(above: (x: number) => boolean): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (above(mid)) hi = mid;
    else lo = mid;
  }
  return (lo + hi) / 2;
}

/** The Euclidean projection of x onto {y ≥ 0, Σy = 1}: y_v = max(x_v − θ, 0) with θ set by the sorted values. */
export function projectOntoSimplex(x: readonly number[]): number[] {
  if (x.length === 0) return [];
  const sorted = [...x].sort((a, b) => b - a);
  let sum = 0;
  let theta = 0;
  for (let j = 0; j < sorted.length; j++) {
    sum += sorted[j]!;
    const t = (sum - 1) / (j + 1);
    if (sorted[j]! - t > 0) theta = t;
  }
  return x.map((v) => Math.max(v - theta, 0));
}
