/**
 * Quantities the tests check the shipped mechanisms and analyses against, which nothing shipped
 * computes: the Laplace calibration's sensitivity in grid units, PrivUnit's even split of ε (the
 * paper's, which the calibrated split must beat), the χ² CDF and the mean test's power at λ.
 */
import { chiSquareQuantileUpper, gammaP, noncentralChiSquareUpper } from '../../src/analysis/distributions';
import type { LaplaceParams } from '../../src/privacy/mechanisms/laplace';
import { capShare, paramsFor, type PrivUnitParams } from '../../src/privacy/mechanisms/privunit';

/** The L1 distance in grid units that the Laplace calibration covers. */
export function laplaceSensitivityUnits(params: LaplaceParams): number {
  return (2 * params.clip * Math.sqrt(params.dims) + 2 * params.dims * params.step) / params.step;
}

/** The paper's even split: ε/2 for p, ε/2 for the cap (γ from the exact cap share). */
export function evenSplitParams(epsilon: number, dims: number): PrivUnitParams {
  const targetQ = 1 / (1 + Math.exp(epsilon / 2));
  let lo = -1;
  let hi = 1;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (capShare(mid, dims) > targetQ) lo = mid;
    else hi = mid;
  }
  return paramsFor(epsilon, dims, (lo + hi) / 2);
}

/** P(χ²_df ≤ x). */
export function chiSquareCdf(x: number, df: number): number {
  return x <= 0 ? 0 : gammaP(df / 2, x / 2);
}

/** The power of the mean test at λ (for checks against simulation). */
export function waldPower(df: number, alpha: number, lambda: number): number {
  return noncentralChiSquareUpper(chiSquareQuantileUpper(alpha, df), df, lambda);
}
