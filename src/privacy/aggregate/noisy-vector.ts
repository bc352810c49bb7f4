/**
 * The person's side of aggregate-only release, up to the integers that are secret-shared:
 * prepare (L2-normalise, optional public projection, clip to C), quantise with unbiased
 * randomised rounding at scale s, add this person's Skellam(μ) share of the batch noise,
 * clamp into the field range and offset to [0, 2^bits). Pure: noise only from `source`.
 */
import { ObscuraError } from '../../errors';
import { RandomDraws } from '../random/draws';
import type { RandomSource } from '../random/random-source';
import { checkVector, clipToNorm, l2Norm, l2Normalize } from '../vector/prepare';
import { project, type Projection } from '../vector/projection';
import type { AggregatePlan } from './plan';
import { drawSkellam, poissonSampler } from './poisson';
import { quantiseUnbiased } from './quantise';

/** Normalise, project (when given), clip to the plan's C: the vector whose mean the batch estimates. */
export function prepareForAggregate(
  raw: ArrayLike<number>,
  plan: AggregatePlan,
  projection?: Projection,
): Float64Array {
  checkVector(raw, projection?.inputDims);
  const unit = l2Normalize(raw);
  const out = clipToNorm(projection ? project(projection, unit) : unit, plan.clip);
  checkVector(out, plan.dims);
  return out;
}

/** The offset, noisy, quantised vector: `plan.dims` integers in [0, 2^plan.bits). */
export function noisyQuantisedVector(prepared: Float64Array, plan: AggregatePlan, source: RandomSource): Int32Array {
  checkVector(prepared, plan.dims);
  if (l2Norm(prepared) > plan.clip * (1 + 1e-12)) {
    throw new ObscuraError(
      'InvalidVectorError',
      `the vector must be prepared (L2 norm ≤ ${plan.clip}); its norm is ${l2Norm(prepared)}`,
    );
  }
  const draws = new RandomDraws(source);
  const quantised = quantiseUnbiased(prepared, plan.scale, draws);
  const sampler = poissonSampler(plan.mu);
  const top = 2 * plan.offset - 1;
  const out = new Int32Array(plan.dims);
  for (let i = 0; i < plan.dims; i++) {
    const value = quantised[i]! + drawSkellam(sampler, draws) + plan.offset;
    out[i] = Math.min(top, Math.max(0, value));
  }
  return out;
}
