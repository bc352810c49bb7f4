/**
 * The analyst's side: the released batch sum S (of offset values) over n reports gives
 * the unbiased estimate of the mean of the prepared vectors, (S − n·offset)/(n·s).
 * Unbiased because the rounding is unbiased and the noise has mean 0; clamping, which
 * happens with probability ≤ plan.clampBound per coordinate, is the only bias.
 */
import { invalidParameter, requireInteger } from '../errors';
import type { AggregatePlan } from './plan';

/** The de-offset, de-scaled sum and mean of a batch of n reports. */
export function estimateFromSum(
  sum: ArrayLike<number | bigint>,
  count: number,
  plan: AggregatePlan,
): { sum: Float64Array; mean: Float64Array } {
  requireInteger('count', count, 1);
  if (sum.length !== plan.dims) throw invalidParameter('sum', `${plan.dims} values`, `${sum.length} values`);
  const total = new Float64Array(plan.dims);
  const mean = new Float64Array(plan.dims);
  for (let i = 0; i < plan.dims; i++) {
    // In integers first (bigint when the field sum comes as one), so the offset cancels exactly.
    const raw = sum[i]!;
    const centred =
      typeof raw === 'bigint' ? Number(raw - BigInt(count) * BigInt(plan.offset)) : raw - count * plan.offset;
    total[i] = centred / plan.scale;
    mean[i] = centred / (count * plan.scale);
  }
  return { sum: total, mean };
}

/**
 * Expected ‖mean estimate − mean‖² for a batch of n: the noise, d·2nμ/(ns)², plus the
 * rounding, at most d·n/4/(ns)² (each rounding has variance f(1 − f) ≤ 1/4).
 */
export function expectedAggregateMse(plan: AggregatePlan, n: number): { noise: number; roundingBound: number } {
  const denominator = (n * plan.scale) ** 2;
  return { noise: (plan.dims * 2 * n * plan.mu) / denominator, roundingBound: (plan.dims * n) / 4 / denominator };
}
