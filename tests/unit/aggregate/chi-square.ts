// Chi-square tail and critical values for the statistical tests of aggregate release: the
// analysis layer's, which tests/unit/analysis checks against reference values.
import { chiSquareQuantileUpper, chiSquareUpper } from '../../../src/analysis/distributions';

/** P(χ²_df > x). */
export function chiSquareTail(x: number, df: number): number {
  return chiSquareUpper(x, df);
}

/** The x with P(χ²_df > x) = alpha. */
export function chiSquareCritical(df: number, alpha: number): number {
  return chiSquareQuantileUpper(alpha, df);
}

/** Pearson's statistic of observed counts against expected counts (bins with expectation ≥ 5 each). */
export function pearson(observed: ArrayLike<number>, expected: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < observed.length; i++) s += (observed[i]! - expected[i]!) ** 2 / expected[i]!;
  return s;
}
