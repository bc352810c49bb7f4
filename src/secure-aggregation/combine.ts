/**
 * The analyst's last step: both aggregate shares of a batch (base64url), added in the field, give
 * the noisy sum of the offset values; de-offset and de-scaled, the noisy sum and mean of the
 * prepared vectors (privacy/aggregate/estimate.ts).
 */
import { estimateFromSum } from '../privacy/aggregate/estimate';
import type { AggregatePlan } from '../privacy/aggregate/plan';
import { decodeFieldVector, fromBase64Url } from './codec';
import { sumVecFor } from './task';

/** Combines the two aggregate shares (base64url) of a batch of `count` reports. */
export function combineAggregateShares(
  plan: AggregatePlan,
  leaderShare: string,
  helperShare: string,
  count: number,
): { sum: Float64Array; mean: Float64Array } {
  const vdaf = sumVecFor({ dims: plan.dims, bits: plan.bits });
  const shares = [leaderShare, helperShare].map((s) =>
    decodeFieldVector(vdaf, fromBase64Url(s, 'aggregateShare'), plan.dims),
  );
  const field = vdaf.flp.field;
  const total = shares[0]!.map((x, i) => field.add(x, shares[1]![i]!));
  return estimateFromSum(total, count, plan);
}
