/**
 * Bernoulli(p) for a p computed per draw, with exactly FIXED_WORDS random words whatever p
 * and the outcome: true with probability ⌊p·2^128⌋/2^128 (1 for p ≥ 1), i.e. p to within 2^−128. (`exactBernoulli`
 * is exact but reads as many words as p has base-2^32 digits, which is fine for public
 * probabilities and not for one that depends on the noise.)
 */
import type { Bit, RandomDraws } from './draws';

export const FIXED_WORDS = 4;
const TWO_POW_32 = 4294967296;

/**
 * 1 with probability ⌊p·2^128⌋/2^128 (p clamped to [0, 1]; NaN counts as 0), else 0, without a branch on p,
 * the words or the outcome. p = 1 needs no special case: its first digit is 2^32, above every word.
 * Callers keep p at 0 or above 2^−1000 (e.g. by clamping the exponent of an exp): subnormal operands
 * can make floating-point arithmetic many times slower, and anything below 2^−128 is 0 here anyway.
 */
export function fixedWordBernoulli(p: number, draws: RandomDraws): Bit {
  // Scaling by 2^32, floor and subtraction are exact in binary floating point: digits of p.
  let rest = Math.min(1, Math.max(0, p)); // NaN stays NaN, and every comparison with it gives 0
  let decided = 0;
  let below = 0;
  for (let i = 0; i < FIXED_WORDS; i++) {
    rest *= TWO_POW_32;
    const digit = Math.floor(rest);
    rest -= digit;
    const u = draws.word();
    const decidesHere = Number(u !== digit) & (1 - decided);
    below |= decidesHere & Number(u < digit);
    decided |= decidesHere;
  }
  return below as Bit;
}
