/**
 * Discrete Laplace noise, P(Z = k) = (1−r)/(1+r)·r^|k| with r = e^(−1/t) (Canonne,
 * Kamath, Steinke 2020), drawn with a FIXED amount of work and exact Bernoulli draws.
 *
 * CKS's own sampler is exact but loops a random number of times, and the number of
 * loops grows with |Z|: its running time tells an observer about the noise, hence
 * (with the output) about the input. Instead:
 *   Z = 0 with probability tanh(1/(2t)) = (1−r)/(1+r); otherwise Z = ±(1 + G) with a
 *   fair sign and G geometric, P(G = g) = (1−r) r^g.
 *   The binary digits of a geometric variable are independent: P(G = g) ∝ r^g =
 *   ∏_j (r^(2^j))^(bit_j of g), so bit j is 1 with probability r^(2^j)/(1 + r^(2^j)),
 *   and G ≥ 2^J has probability r^(2^J). J is chosen with 2^J ≥ maxMagnitude, the
 *   largest |Z| that can change the clamped output (laplace.ts); larger values are
 *   represented by the overflow event, which the clamp maps to the same output.
 * Every Bernoulli is `exactBernoulli` on a double probability computed with relative
 * error below 2^−50; all draws are made whatever the outcome, and the outcomes are combined
 * by arithmetic rather than branches, so the work and the words read are the same for every
 * Z. The likelihood of any clamped output is a product (or a sum of products) of at most J + 3 such factors,
 * so the privacy loss differs from the ideal one by at most 2(J + 3)·2^−49 < 2^−40
 * for J ≤ 60: that is SAMPLER_SLACK, taken off ε in the calibration.
 */
import type { RandomDraws } from '../random/draws';
import { exactBernoulli, exactProbability, type ExactProbability } from '../random/exact-bernoulli';
import { invalidParameter } from '../errors';
import { gridSampler, type GridSampler } from './grid-noise';

/** The part of ε set aside for the sampler's double-precision probabilities. */
export const SAMPLER_SLACK = 2 ** -40;

/**
 * Draws Z. Mechanisms use `into`, which writes Z to `out[index]`: a number returned from a function is
 * boxed by V8 in a newly allocated heap number when it lies beyond the 31-bit small-integer range, and
 * the allocation shows in the time (a sampler returning Z at t = 8·10^8 told |Z| ≥ 2^31 by its time with
 * balanced accuracy 0.57). Written to a Float64Array, every Z is stored the same way.
 */
export type DiscreteLaplaceSampler = GridSampler;

/** A sampler of Z for parameter t, exact for |Z| ≤ maxMagnitude; beyond it, ±(2^J + 1) stands for the whole tail. */
export function discreteLaplaceSampler(t: number, maxMagnitude: number): DiscreteLaplaceSampler {
  if (!(t > 0 && Number.isFinite(t))) throw invalidParameter('t', 'a finite number > 0', t);
  if (!(Number.isInteger(maxMagnitude) && maxMagnitude >= 1 && maxMagnitude <= 2 ** 52))
    throw invalidParameter('maxMagnitude', 'an integer in [1, 2^52]', maxMagnitude);
  const J = Math.max(1, Math.ceil(Math.log2(maxMagnitude)));
  const zero = exactProbability(Math.tanh(1 / (2 * t)));
  const overflow = exactProbability(Math.exp(-(2 ** J) / t));
  const bitProbs: ExactProbability[] = [];
  // r^(2^j)/(1 + r^(2^j)) = 1/(1 + e^(2^j/t)) ≤ 1/2: computed as the smaller side, so its relative error is small.
  for (let j = 0; j < J; j++) bitProbs.push(exactProbability(1 / (1 + Math.exp(2 ** j / t))));
  const tailMagnitude = 2 ** J + 1;
  const powers = Float64Array.from(bitProbs, (_, j) => 2 ** j);
  const into = (draws: RandomDraws, out: Float64Array, index: number): void => {
    // Outcomes are 0/1 numbers combined by arithmetic (all exact: integers below 2^53), so no
    // branch, no skipped work and no Math.pow depends on them; `+ 0` turns −0 into +0 (a −0 would
    // be a heap number wherever the caller boxes it, where +0 is a small integer).
    const isZero = exactBernoulli(zero, draws);
    const positive = draws.bits(1);
    const isOverflow = exactBernoulli(overflow, draws);
    let g = 0;
    for (let j = 0; j < J; j++) g += exactBernoulli(bitProbs[j]!, draws) * powers[j]!;
    const magnitude = (1 - isZero) * (isOverflow * tailMagnitude + (1 - isOverflow) * (1 + g));
    out[index] = (2 * positive - 1) * magnitude + 0;
  };
  return gridSampler(into);
}
