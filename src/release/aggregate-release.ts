/**
 * The release worker's side of an aggregate-only scope: prepare (normalise, project to the
 * scope's dims, clip), quantise, add this person's Skellam noise share and secret-share the
 * result between the scope's two aggregators. All randomness is Web Crypto's. What it costs
 * is the calibration's central ε; the local guarantee is that of the noise share alone.
 */
import { deltaUnitsUp, epsilonUnitsUp, type Cost } from '../privacy/accountant';
import { invalidParameter } from '../privacy/errors';
import { planAggregate, type AggregatePlan } from '../privacy/aggregate/plan';
import { noisyQuantisedVector, prepareForAggregate } from '../privacy/aggregate/noisy-vector';
import { cryptoRandomSource } from '../privacy/random/random-source';
import { projectionFor } from '../report/privatize-features';
import { shardValues } from '../secure-aggregation/shard';
import type { AggregateScope } from '../ledger/aggregate-scope';
import type { AggregateSubmission } from '../ledger/ledger-schema';

export interface DrawnAggregateRelease {
  readonly submission: AggregateSubmission;
  readonly plan: AggregatePlan;
  readonly cost: Cost;
  /** Cosine between the prepared vector and this report's de-offset, de-scaled noisy values. */
  readonly cosine: number;
}

const plans = new Map<string, AggregatePlan>();

/** The calibration of a scope's task, computed once per task (it bisects over μ). */
export function planFor(config: AggregateScope): AggregatePlan {
  const key = JSON.stringify([config.epsilon, config.delta, config.nMin, config.dims]);
  let plan = plans.get(key);
  if (!plan) {
    plan = planAggregate({ epsilon: config.epsilon, delta: config.delta, nMin: config.nMin, dims: config.dims });
    plans.set(key, plan);
  }
  return plan;
}

export async function drawAggregateRelease(
  clean: Float32Array,
  config: AggregateScope,
): Promise<DrawnAggregateRelease> {
  if (config.dims > clean.length)
    throw invalidParameter('aggregate.dims', `at most the model's ${clean.length} features`, config.dims);
  const plan = planFor(config);
  const projection = config.dims < clean.length ? projectionFor(clean.length, config.dims) : undefined;
  const prepared = prepareForAggregate(clean, plan, projection);
  const values = noisyQuantisedVector(prepared, plan, cryptoRandomSource);
  const shares = await shardValues(values, plan, cryptoRandomSource);
  const body = (inputShare: string) => ({ publicShare: shares.publicShare, inputShare });
  const submission: AggregateSubmission = {
    kind: 'aggregate-shares',
    id: shares.reportId,
    leader: { url: `${config.leader}/reports/${shares.reportId}`, body: body(shares.leaderShare) },
    helper: { url: `${config.helper}/reports/${shares.reportId}`, body: body(shares.helperShare) },
  };
  const epsilon = plan.central.epsilon;
  // The central guarantee is (ε, δ): its δ adds up across releases, so it is charged too.
  const cost: Cost = {
    epsilon,
    delta: plan.central.delta,
    rho: 0,
    epsilonUnits: epsilonUnitsUp(epsilon),
    rhoUnits: 0,
    deltaUnits: deltaUnitsUp(plan.central.delta),
  };
  return { submission, plan, cost, cosine: cosineOf(prepared, values, plan) };
}

function cosineOf(prepared: Float64Array, values: Int32Array, plan: AggregatePlan): number {
  let dot = 0;
  let a = 0;
  let b = 0;
  for (let i = 0; i < prepared.length; i++) {
    const noisy = (values[i]! - plan.offset) / plan.scale;
    dot += prepared[i]! * noisy;
    a += prepared[i]! * prepared[i]!;
    b += noisy * noisy;
  }
  return a === 0 || b === 0 ? 0 : dot / Math.sqrt(a * b);
}
