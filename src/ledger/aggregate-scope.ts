/**
 * The configuration of an aggregate-only scope: its reports are secret-shared between two
 * aggregators on two origins, which release only sums over batches of at least nMin. The
 * central (ε, δ) of each release holds only under the stated trust assumption (the two do
 * not collude); the person's own noise share is what protects them if they do. The task
 * (ε, δ, dims, nMin) is fixed per scope, because the central guarantee needs every report
 * of a batch to carry the same noise share.
 */
import { invalidParameter } from '../privacy/errors';
import { APPROX_DELTA_MAX, DIMS_MAX, EPSILON_MAX, EPSILON_MIN } from '../privacy/limits';
import { planAggregate } from '../privacy/aggregate/plan';

/** How a scope's releases leave: one local-DP report to a collector, or two shares to two aggregators. */
export type ReleaseMode = 'local' | 'aggregate-only';

export interface AggregateScope {
  /** The leader's base URL (it receives the leader share at `${leader}/reports/{reportId}`). */
  readonly leader: string;
  /** The helper's base URL, on another origin than the leader's. */
  readonly helper: string;
  /** The smallest batch either aggregator releases a sum of. */
  readonly nMin: number;
  /** The trust assumption the central guarantee rests on, in the words shown to the person. */
  readonly trust: string;
  /** Target central ε of one release (what the budget is charged, to the calibration's precision). */
  readonly epsilon: number;
  /** Target central δ of one release. */
  readonly delta: number;
  /** Coordinates sent: the features are projected to this many first when the model gives more. */
  readonly dims: number;
}

export const DEFAULT_TRUST = 'the leader and the helper do not collude';
const N_MIN_MAX = 1_000_000;
const TRUST_MAX = 500;

function aggregatorUrl(name: string, value: unknown): URL {
  if (typeof value !== 'string' || !URL.canParse(value)) throw invalidParameter(name, 'an absolute http(s) URL', value);
  const url = new URL(value);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalidParameter(name, 'an http(s) URL', value);
  if (url.username || url.password || url.search || url.hash)
    throw invalidParameter(name, 'a URL without credentials, query or fragment', value);
  return url;
}

/**
 * The scope's aggregate configuration, checked and normalised (URLs without a trailing
 * slash, trust text trimmed); InvalidParameterError naming the field otherwise.
 */
export function validateAggregateScope(config: AggregateScope): AggregateScope {
  if (typeof config !== 'object' || config === null)
    throw invalidParameter('aggregate', 'an object with leader, helper, nMin, trust, epsilon, delta, dims', config);
  const leader = aggregatorUrl('aggregate.leader', config.leader);
  const helper = aggregatorUrl('aggregate.helper', config.helper);
  if (leader.origin === helper.origin)
    throw invalidParameter('aggregate.helper', `on another origin than the leader (${leader.origin})`, helper.origin);
  const { nMin, epsilon, delta, dims } = config;
  if (typeof nMin !== 'number' || !Number.isInteger(nMin) || nMin < 2 || nMin > N_MIN_MAX)
    throw invalidParameter('aggregate.nMin', `an integer in [2, ${N_MIN_MAX}]`, nMin);
  if (typeof epsilon !== 'number' || !(epsilon >= EPSILON_MIN && epsilon <= EPSILON_MAX))
    throw invalidParameter('aggregate.epsilon', `a number in [${EPSILON_MIN}, ${EPSILON_MAX}]`, epsilon);
  if (typeof delta !== 'number' || !(delta > 0 && delta <= APPROX_DELTA_MAX))
    throw invalidParameter('aggregate.delta', `a number in (0, ${APPROX_DELTA_MAX}]`, delta);
  if (typeof dims !== 'number' || !Number.isInteger(dims) || dims < 1 || dims > DIMS_MAX)
    throw invalidParameter('aggregate.dims', `an integer in [1, ${DIMS_MAX}]`, dims);
  const trust = typeof config.trust === 'string' ? config.trust.trim() : '';
  if (trust.length === 0 || trust.length > TRUST_MAX)
    throw invalidParameter('aggregate.trust', `a statement of 1 to ${TRUST_MAX} characters`, config.trust);
  const base = (u: URL) => u.href.replace(/\/+$/, '');
  return { leader: base(leader), helper: base(helper), nMin, trust, epsilon, delta, dims };
}

/** The two configurations describe the same task and aggregators. */
export function sameAggregateScope(a: AggregateScope | undefined, b: AggregateScope | undefined): boolean {
  if (!a || !b) return a === b;
  return (
    a.leader === b.leader &&
    a.helper === b.helper &&
    a.nMin === b.nMin &&
    a.trust === b.trust &&
    a.epsilon === b.epsilon &&
    a.delta === b.delta &&
    a.dims === b.dims
  );
}

/** A scope's mode and aggregate configuration, checked: aggregate-only needs one, a local scope has none. */
export function validateScopeMode(scope: { readonly mode?: ReleaseMode; readonly aggregate?: AggregateScope }): {
  mode?: 'aggregate-only';
  aggregate?: AggregateScope;
} {
  const mode = scope.mode ?? 'local';
  if (mode === 'local') {
    if (scope.aggregate !== undefined)
      throw invalidParameter('mode', '"aggregate-only" for a scope with aggregators', scope.mode);
    return {};
  }
  if (mode !== 'aggregate-only') throw invalidParameter('mode', '"local" or "aggregate-only"', mode);
  if (scope.aggregate === undefined)
    throw invalidParameter('aggregate', 'the leader, helper, nMin and trust of an aggregate-only scope', undefined);
  const aggregate = validateAggregateScope(scope.aggregate);
  try {
    planAggregate(aggregate);
  } catch {
    // Small batches need each person's share to carry nearly all the noise: past a point it cannot be sampled.
    throw invalidParameter(
      'aggregate.epsilon',
      `large enough for n_min ${aggregate.nMin} and ${aggregate.dims} coordinates (raise ε or n_min)`,
      aggregate.epsilon,
    );
  }
  return { mode, aggregate };
}
