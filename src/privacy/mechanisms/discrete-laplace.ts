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
 * error below 2^−50; all draws are made whatever the outcome. The likelihood of any
 * clamped output is a product (or a sum of products) of at most J + 3 such factors,
 * so the privacy loss differs from the ideal one by at most 2(J + 3)·2^−49 < 2^−40
 * for J ≤ 60: that is SAMPLER_SLACK, taken off ε in the calibration.
 */
import type { RandomDraws } from '../random/draws';
import { exactBernoulli, exactProbability, type ExactProbability } from '../random/exact-bernoulli';
import { invalidParameter } from '../errors';

/** The part of ε set aside for the sampler's double-precision probabilities. */
export const SAMPLER_SLACK = 2 ** -40;

export type DiscreteLaplaceSampler = (draws: RandomDraws) => number;

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
  return (draws) => {
    const isZero = exactBernoulli(zero, draws);
    const positive = draws.bits(1) === 1;
    const isOverflow = exactBernoulli(overflow, draws);
    let g = 0;
    for (let j = 0; j < J; j++) if (exactBernoulli(bitProbs[j]!, draws)) g += 2 ** j;
    const magnitude = isZero ? 0 : isOverflow ? tailMagnitude : 1 + g;
    return positive ? magnitude : -magnitude;
  };
}
