/**
 * What the estimators read: a group's count and per-coordinate running sums, exactly what the
 * collector keeps (no report is needed twice).
 */
import { invalid } from './errors';

/** n reports, Σ_i x_ij and Σ_i x_ij² per coordinate j. */
export interface VectorTotals {
  readonly count: number;
  readonly sums: readonly number[];
  readonly squares: readonly number[];
}

/** n reports and each category's reported count c_v (k-RR: reported value; OUE: bit set), with the mechanism's p, q. */
export interface CategoryTotals {
  readonly count: number;
  readonly counts: readonly number[];
  readonly p: number;
  readonly q: number;
}

/** A value and its standard error. */
export interface Estimate {
  readonly estimate: number;
  readonly standardError: number;
}

/** x̄_j = S_j/n and the unbiased sample variance s_j² = (Q_j − S_j²/n)/(n − 1) of each coordinate. */
export function moments(t: VectorTotals): { mean: number[]; variance: number[] } {
  const n = t.count;
  if (!Number.isInteger(n) || n < 2) throw invalid('count', 'an integer ≥ 2 (a variance needs two reports)', n);
  if (t.sums.length !== t.squares.length)
    throw invalid('squares', `as many values as sums (${t.sums.length})`, t.squares.length);
  const mean = t.sums.map((s) => s / n);
  // Rounding can leave a tiny negative where the true variance is 0.
  const variance = t.sums.map((s, j) => Math.max(0, t.squares[j]! - (s * s) / n) / (n - 1));
  return { mean, variance };
}

export function sameLength(a: readonly unknown[], b: readonly unknown[], what: string): void {
  if (a.length !== b.length) throw invalid(what, `the same length on both sides (${a.length})`, b.length);
}
