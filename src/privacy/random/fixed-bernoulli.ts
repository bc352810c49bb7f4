/**
 * Bernoulli(p) for a p computed per draw, with exactly FIXED_WORDS random words whatever p
 * and the outcome: true with probability ⌊p·2^128⌋/2^128 (1 for p ≥ 1), i.e. p to within 2^−128. (`exactBernoulli`
 * is exact but reads as many words as p has base-2^32 digits, which is fine for public
 * probabilities and not for one that depends on the noise.)
 */
import type { RandomDraws } from './draws';

export const FIXED_WORDS = 4;
const TWO_POW_32 = 4294967296;

export function fixedWordBernoulli(p: number, draws: RandomDraws): boolean {
  // Scaling by 2^32, floor and subtraction are exact in binary floating point: digits of p.
  const certain = p >= 1;
  let rest = certain ? 0 : p > 0 ? p : 0;
  let decided = false;
  let below = false;
  for (let i = 0; i < FIXED_WORDS; i++) {
    rest *= TWO_POW_32;
    const digit = Math.floor(rest);
    rest -= digit;
    const u = draws.word();
    if (!decided && u !== digit) {
      decided = true;
      below = u < digit;
    }
  }
  return certain || below;
}
