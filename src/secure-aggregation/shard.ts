/**
 * The client side of aggregate-only release, from a prepared vector to the two input
 * shares: noisy quantised integers (privacy core), then Prio3SumVec sharding with a proof
 * that every coordinate lies in [0, 2^bits). The report id is the VDAF nonce, 16 random
 * bytes; all randomness (rounding, noise, nonce, the VDAF's own) comes from `source`.
 */
import { Buffer } from 'buffer';
import type { RandomSource } from '../privacy/random/random-source';
import { noisyQuantisedVector } from '../privacy/aggregate/noisy-vector';
import type { AggregatePlan, Guarantee } from '../privacy/aggregate/plan';
import { toBase64Url } from './codec';
import { sumVecFor } from './task';

export interface AggregateReport {
  /** base64url of the 16-byte VDAF nonce; both aggregators receive their share under it. */
  readonly reportId: string;
  /** base64url input share for the leader only (explicit field elements and proof share). */
  readonly leaderShare: string;
  /** base64url input share for the helper only (three 16-byte seeds). */
  readonly helperShare: string;
  /** base64url public share (the joint randomness parts), sent to both. */
  readonly publicShare: string;
  readonly accounting: {
    /** Holds if the aggregators do not collude, for batches of at least nMin: what the budget is charged. */
    readonly central: Guarantee;
    /** Holds for this report alone if they collude: the person's own noise share. */
    readonly local: Guarantee;
  };
}

function randomBytes(source: RandomSource, n: number): Buffer {
  const words = new Uint32Array(Math.ceil(n / 4));
  source.fillUint32(words);
  return Buffer.from(words.buffer, 0, n);
}

/** Noise, quantise and split one prepared vector (see prepareForAggregate) into two input shares. */
export async function shardAggregateReport(
  prepared: Float64Array,
  plan: AggregatePlan,
  source: RandomSource,
): Promise<AggregateReport> {
  return shardValues(noisyQuantisedVector(prepared, plan, source), plan, source);
}

/**
 * Splits already noisy, quantised, offset values (noisyQuantisedVector's output) into two input shares.
 * `noncePrefix` (public, e.g. a training round's tag) replaces the nonce's first bytes; the rest stays random.
 */
export async function shardValues(
  values: Int32Array,
  plan: AggregatePlan,
  source: RandomSource,
  noncePrefix?: Uint8Array,
): Promise<AggregateReport> {
  const vdaf = sumVecFor({ dims: plan.dims, bits: plan.bits });
  const nonce = randomBytes(source, vdaf.nonceSize);
  if (noncePrefix) nonce.set(noncePrefix.subarray(0, vdaf.nonceSize - 8));
  const rand = randomBytes(source, vdaf.randSize);
  const { publicShare, inputShares } = await vdaf.shardEncoded(Array.from(values), nonce, rand);
  return {
    reportId: toBase64Url(nonce),
    leaderShare: toBase64Url(inputShares[0]!),
    helperShare: toBase64Url(inputShares[1]!),
    publicShare: toBase64Url(publicShare),
    accounting: {
      central: { epsilon: plan.epsilon, delta: plan.delta },
      local: { epsilon: plan.local.epsilon, delta: plan.local.delta },
    },
  };
}
