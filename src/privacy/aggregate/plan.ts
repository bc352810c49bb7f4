/**
 * Calibration of aggregate-only release: each person adds Skellam(μ) noise to their
 * quantised vector; the aggregators only ever release the sum over a batch of at least
 * nMin people, which carries Skellam(nMin·μ) or more (Skellam is closed under sums).
 *
 * Neighbours: one person's vector replaced by any other ("any input vs any input", as for
 * the local mechanisms), so the rounded vectors differ by at most twice the bounds of
 * quantise.ts: Δ₂ = 2(s·C + √d), Δ₁ = min(2(s·C·√d + d), Δ₂²) (integer vectors: ‖v‖₁ ≤ ‖v‖₂²).
 *
 * Central (holds if the aggregators do not collude). Fix the person j who changes and any
 * nMin − 1 others of the batch: the released sum is (x̃_j + Σ of those nMin noises) plus
 * terms that do not depend on j's data, i.e. post-processing of a Skellam(nMin·μ)
 * mechanism, so the guarantee does not weaken with larger batches. On top of the Skellam
 * RDP bound (skellam-rdp.ts) at δ_rdp, the calibration charges
 *   - the sampler (poisson.ts): with N = 2·nMin·d draws, P̃ ≤ e^(N·logUpper)·P pointwise and
 *     P̃ ≥ e^(−N·logLower)·P on the window, outside which P has mass ≤ N·tailMass, so
 *     ε' = ε_rdp + N(logUpper + logLower), δ' = e^(N·logUpper)(δ_rdp + e^ε_rdp·N·tailMass);
 *   - clamping into [0, 2^bits): a person's value is clamped only if its noise exceeds the
 *     margin, with probability ≤ clampBound per coordinate (Chernoff, then the sampler's
 *     factor); the release differs from the unclamped one with probability
 *     η ≤ nMin·d·clampBound, so δ'' = δ' + (1 + e^ε')·η.
 * μ is the smallest (to 1e-9 relative) for which ε'' ≤ ε and δ'' ≤ δ.
 *
 * Local (holds if they collude and see one person's noisy vector): the same bounds with
 * Skellam(μ) alone, N = 2d draws, at the same δ; clamping is post-processing there.
 * Bits: the smallest b with P(|Sk(μ)| > 2^(b−1) − 1 − ⌈s·C⌉) ≤ 2^−80, values offset by 2^(b−1).
 *
 * Training (federated codebooks) composes: a person takes part in at most `rounds` batches, each
 * released with this noise, so the RDP bound is `rounds` times one batch's, and the sampler's and
 * clamping's terms are charged once per round. Its neighbours are "zero-out" (Kairouz et al. 2021,
 * "Practical and Private (Deep) Learning without Sampling or Shuffling"): one person's update
 * replaced by nothing, which keeps the count of participants (the aggregators see who sends
 * shares anyway) and halves the sensitivity: Δ₂ = s·C + √d, Δ₁ = min(s·C·√d + d, Δ₂²).
 */
import { invalidParameter, requireInteger, requireOpenUnit, requirePositiveFinite } from '../errors';
import { poissonWindow } from './poisson';
import { quantisedNormBounds } from './quantise';
import { skellamEpsilon, skellamLogTail, type Sensitivity } from './skellam-rdp';

export interface AggregateParams {
  /** Central ε of a batch of at least nMin reports. */
  readonly epsilon: number;
  readonly delta: number;
  /** Smallest batch the aggregators release. */
  readonly nMin: number;
  /** Coordinates of the prepared vector. */
  readonly dims: number;
  /** L2 norm bound of the prepared vector (default 1). */
  readonly clip?: number;
  /** Quantisation scale s: coordinates are rounded multiples of 1/s (default 1024). */
  readonly scale?: number;
  /** Batches one person may take part in, whose guarantees compose (default 1). */
  readonly rounds?: number;
  /** Who counts as a neighbour: one person's vector replaced by any other (default), or by nothing. */
  readonly neighbours?: Neighbours;
}

export type Neighbours = 'replace' | 'zero-out';

export interface Guarantee {
  readonly epsilon: number;
  readonly delta: number;
}

export interface AggregatePlan {
  readonly epsilon: number;
  readonly delta: number;
  readonly nMin: number;
  readonly dims: number;
  readonly clip: number;
  readonly scale: number;
  readonly rounds: number;
  readonly neighbours: Neighbours;
  /** Skellam parameter of one person's noise share (variance 2μ per coordinate). */
  readonly mu: number;
  readonly sensitivity: Sensitivity;
  /** Bits per coordinate of the offset value sent to the aggregators. */
  readonly bits: number;
  /** Added to each noisy coordinate so it is non-negative. */
  readonly offset: number;
  /** Largest |noisy quantised value| that is sent unclamped. */
  readonly maxMagnitude: number;
  /** Per coordinate, an upper bound on the probability that clamping changes the value. */
  readonly clampBound: number;
  /** The guarantee the calibration achieves for a batch of ≥ nMin, over all `rounds` (≤ the target). */
  readonly central: Guarantee;
  /** The guarantee of one person's noisy vector alone (one round). */
  readonly local: Guarantee;
}

const DEFAULT_SCALE = 1024;
const LOG_CLAMP_TARGET = -80 * Math.LN2;
const MAX_BITS = 30;

/** Validates the parameters and calibrates μ, the bits and both guarantees. */
export function planAggregate(params: AggregateParams): AggregatePlan {
  const epsilon = requirePositiveFinite('epsilon', params.epsilon);
  const delta = requireOpenUnit('delta', params.delta);
  const nMin = requireInteger('nMin', params.nMin, 1, 2 ** 31);
  const dims = requireInteger('dims', params.dims, 1, 1 << 16);
  const clip = requirePositiveFinite('clip', params.clip ?? 1);
  const scale = requirePositiveFinite('scale', params.scale ?? DEFAULT_SCALE);
  const rounds = requireInteger('rounds', params.rounds ?? 1, 1, 1 << 20);
  const neighbours = params.neighbours ?? 'replace';
  if (neighbours !== 'replace' && neighbours !== 'zero-out') {
    throw invalidParameter('neighbours', '"replace" or "zero-out"', neighbours);
  }
  const bound = quantisedNormBounds(scale, clip, dims);
  const factor = neighbours === 'replace' ? 2 : 1;
  const l2 = factor * bound.l2;
  const sensitivity: Sensitivity = { l2, l1: Math.min(factor * bound.l1, l2 * l2) };
  const base = { epsilon, delta, nMin, dims, clip, scale, rounds, neighbours, sensitivity };
  const fits = (mu: number) => {
    const g = guaranteesFor(base, mu);
    return g !== null && g.central.epsilon <= epsilon && g.central.delta <= delta;
  };
  // Bracket, then bisect in log space.
  let hi = 1;
  while (!fits(hi)) {
    hi *= 2;
    if (hi > 2 ** 40) throw invalidParameter('epsilon', 'large enough for a noise table of bounded size', epsilon);
  }
  let lo = hi / 2;
  while (lo > 1e-6 && fits(lo)) {
    hi = lo;
    lo /= 2;
  }
  for (let i = 0; i < 80 && hi / lo > 1 + 1e-9; i++) {
    const mid = Math.sqrt(lo * hi);
    if (fits(mid)) hi = mid;
    else lo = mid;
  }
  const found = guaranteesFor(base, hi)!;
  return { ...base, mu: hi, ...found.layout, central: found.central, local: found.local };
}

/**
 * The central guarantee of `rounds` batches, each released with this plan's noise (a person in at
 * most one batch a round): the per-round Skellam RDP bound composed `rounds` times at the plan's
 * δ target, with the sampler's and clamping's terms charged once a round. It may exceed the plan's
 * own target, which was calibrated for plan.rounds.
 */
export function composedCentral(plan: AggregatePlan, rounds: number): Guarantee {
  requireInteger('rounds', rounds, 1, 1 << 20);
  return guaranteesFor({ ...plan, rounds }, plan.mu)!.central;
}

/** A per-round plan and what it guarantees a person over all their participations. */
export interface ParticipationPlan {
  /** The calibration of one round (its `rounds` is 1): what each participation is charged. */
  readonly perRound: AggregatePlan;
  /** Its central guarantee composed over the participations: within the user-level target. */
  readonly userLevel: Guarantee;
  readonly participations: number;
}

/**
 * The per-round plan for a person who takes part in at most `participations` rounds and must meet
 * the user-level (params.epsilon, params.delta): the largest per-round ε (to 1e-6 relative) whose own
 * calibration (planAggregate with rounds 1, as a training task declares its per-round noise) composed
 * over the participations (composedCentral) stays within the target. A task declaring
 * noise = perRound's (ε, δ) and these participations gets exactly this μ and this user-level guarantee.
 */
export function planForParticipations(params: AggregateParams, participations: number): ParticipationPlan {
  requireInteger('participations', participations, 1, 1 << 20);
  const target = requirePositiveFinite('epsilon', params.epsilon);
  const delta = requireOpenUnit('delta', params.delta);
  const planAt = (epsilon: number) => planAggregate({ ...params, epsilon, rounds: 1 });
  const composed = (plan: AggregatePlan) => composedCentral(plan, participations);
  const fits = (plan: AggregatePlan) => {
    const g = composed(plan);
    return g.epsilon <= target && g.delta <= delta;
  };
  // Composing k rounds of ε/k each stays within ε (the RDP bound adds up, its conversion is paid once).
  let lo = target / participations;
  let hi = target;
  let best = planAt(lo);
  if (!fits(best)) throw invalidParameter('epsilon', 'large enough to split over the participations', target);
  const top = planAt(hi);
  if (fits(top)) best = top;
  else
    while (hi / lo > 1 + 1e-6) {
      const mid = Math.sqrt(lo * hi);
      const plan = planAt(mid);
      if (fits(plan)) {
        lo = mid;
        best = plan;
      } else hi = mid;
    }
  return { perRound: best, userLevel: composed(best), participations };
}

interface Layout {
  readonly bits: number;
  readonly offset: number;
  readonly maxMagnitude: number;
  readonly clampBound: number;
}

function layoutFor(mu: number, scale: number, clip: number): Layout | null {
  const quantised = Math.ceil(scale * clip);
  for (let bits = 2; bits <= MAX_BITS; bits++) {
    const offset = 2 ** (bits - 1);
    const margin = offset - 1 - quantised;
    if (margin < 1) continue;
    const logTail = skellamLogTail(mu, margin + 1);
    if (logTail <= LOG_CLAMP_TARGET) return { bits, offset, maxMagnitude: offset - 1, clampBound: Math.exp(logTail) };
  }
  return null;
}

function guaranteesFor(
  p: {
    epsilon: number;
    delta: number;
    nMin: number;
    dims: number;
    clip: number;
    scale: number;
    rounds: number;
    sensitivity: Sensitivity;
  },
  mu: number,
): { central: Guarantee; local: Guarantee; layout: Layout } | null {
  const layout = layoutFor(mu, p.scale, p.clip);
  if (!layout) return null;
  const sampler = poissonWindow(mu);
  const deltaRdp = p.delta * 0.999;
  const withSampler = (noiseMu: number, draws: number, compositions: number): Guarantee => {
    const eRdp = skellamEpsilon(noiseMu, p.sensitivity, deltaRdp, compositions);
    const e = eRdp + draws * (sampler.logUpper + sampler.logLower);
    const d = Math.exp(draws * sampler.logUpper) * (deltaRdp + Math.exp(eRdp) * draws * sampler.tailMass);
    return { epsilon: e, delta: d };
  };
  const centralDraws = 2 * p.nMin * p.dims * p.rounds;
  const central0 = withSampler(p.nMin * mu, centralDraws, p.rounds);
  const eta = p.rounds * p.nMin * p.dims * layout.clampBound * Math.exp(centralDraws * sampler.logUpper);
  const central = { epsilon: central0.epsilon, delta: central0.delta + (1 + Math.exp(central0.epsilon)) * eta };
  const local0 = withSampler(mu, 2 * p.dims, 1);
  // Where e^ε overflows the bound, no local δ below 1 is claimed.
  const local = { epsilon: local0.epsilon, delta: Math.min(1, local0.delta) };
  return { central, local, layout };
}
