/**
 * The privacy budget in plain words, for the texts that put them before the symbols: most
 * people do not know what ε is, but can weigh "about 8 more releases" and "reveals less".
 */

/** What ε measures, in one clause that can follow the symbol. */
export const EPSILON_MEANING = 'ε measures how much a release can reveal about your image: smaller reveals less';

/** What a privacy budget is, in one sentence. */
export const BUDGET_MEANING =
  'A privacy budget limits how much all releases together can reveal about your images: ' +
  'each release uses part of it, and once it is used up nothing more is released.';

/**
 * How many releases at `perRelease` fit in `remaining`, in words ("about 8 more releases at ε 0.5 each").
 * "About": releases are composed exactly (privacy-loss distributions), which can fit a few more than the quotient.
 */
export function releasesLeft(remaining: number, perRelease: number, more = true): string {
  if (!(perRelease > 0) || !Number.isFinite(remaining)) return '';
  // The ledger keeps charges on a grid of 1e-6: 3.9999999 left is 4, not 3.
  const count = Math.max(0, Math.floor(remaining / perRelease + 1e-6));
  if (count === 0) return `not enough for another release at ε ${perRelease}`;
  const noun = count === 1 ? 'release' : 'releases';
  return `about ${count}${more ? ' more' : ''} ${noun} at ε ${perRelease} each`;
}
