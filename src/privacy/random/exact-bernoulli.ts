/**
 * Bernoulli(p) with probability exactly p, for any double p in [0, 1], and a fixed
 * number of random words per draw.
 *
 * A double p is a dyadic rational: its binary expansion ends. Writing it as base-2^32
 * digits w₀ w₁ … w_{n−1}, an infinitely precise uniform U is below p exactly when its
 * first n words, compared lexicographically, are below (w₀ … w_{n−1}); if they are
 * equal, U ≥ p whatever its remaining bits. So P(true) = p exactly, with n words,
 * and n depends only on p (public), never on the data or the outcome. A comparison
 * of p with a 53-bit uniform is off by up to 2^−53 in absolute terms, which is a
 * large relative error for tail probabilities such as 1e-20 (the precision attacks
 * of Tumult Labs 2022 live in such tails).
 */
import type { Bit, RandomDraws } from './draws';
import { invalidParameter } from '../errors';

const TWO_POW_32 = 4294967296;

/** p as base-2^32 digits after the binary point, precomputed once per probability. */
export interface ExactProbability {
  readonly p: number;
  readonly digits: Uint32Array;
}

/**
 * Splits p into its base-2^32 digits; exact, since scaling by 2^32 and taking the fractional part
 * are exact in binary floating point.
 */
export function exactProbability(p: number): ExactProbability {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw invalidParameter('probability', 'a number in [0, 1]', p);
  if (p === 1) return { p, digits: new Uint32Array(0) }; // certain: no word needed
  const digits: number[] = [];
  let rest = p;
  while (rest > 0) {
    rest *= TWO_POW_32;
    const w = Math.floor(rest);
    digits.push(w);
    rest -= w;
  }
  return { p, digits: Uint32Array.from(digits.length > 0 ? digits : [0]) };
}

/**
 * 1 with probability exactly `prob.p`, else 0; always reads `prob.digits.length` words (public),
 * and the outcome is found by arithmetic on 0/1, without a branch on the words read.
 */
export function exactBernoulli(prob: ExactProbability, draws: RandomDraws): Bit {
  if (prob.p === 1) return 1; // public: no word is read for a certain event
  return lexicographicBelow(prob.digits, draws);
}

/** 1 if the next `digits.length` words, read as one number, are below `digits`, else 0. */
function lexicographicBelow(digits: ArrayLike<number>, draws: RandomDraws): Bit {
  let decided = 0;
  let below = 0;
  for (let i = 0; i < digits.length; i++) {
    const u = draws.word();
    const w = digits[i]!;
    // The first differing word decides; later words are read all the same, so the work is fixed.
    const decidesHere = Number(u !== w) & (1 - decided);
    below |= decidesHere & Number(u < w);
    decided |= decidesHere;
  }
  return below as Bit;
}
