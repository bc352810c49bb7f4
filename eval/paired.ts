/**
 * Paired comparison of two methods scored on the same cases (queries, test images):
 * only the cases where exactly one of them is right carry information. The exact
 * two-sided sign (McNemar) test gives the chance of a split at least this uneven
 * if both methods were equally good.
 */

export interface PairedComparison {
  /** Cases that A gets right and B wrong. */
  readonly wins: number;
  /** Cases that B gets right and A wrong. */
  readonly losses: number;
  /** Two-sided exact sign-test p-value over the wins + losses discordant cases (1 when there are none). */
  readonly p: number;
}

/** Compares per-case outcomes (truthy = right) of method A against method B. */
export function comparePaired(a: ArrayLike<number | boolean>, b: ArrayLike<number | boolean>): PairedComparison {
  if (a.length !== b.length) throw new RangeError(`outcome lists differ in length: ${a.length} vs ${b.length}`);
  let wins = 0;
  let losses = 0;
  for (let i = 0; i < a.length; i++) {
    const x = Boolean(a[i]);
    const y = Boolean(b[i]);
    if (x && !y) wins++;
    else if (y && !x) losses++;
  }
  return { wins, losses, p: signTestP(wins, losses) };
}

/** Two-sided exact binomial test of k = min(wins, losses) successes in n = wins + losses fair coin flips. */
export function signTestP(wins: number, losses: number): number {
  if (!(Number.isInteger(wins) && Number.isInteger(losses) && wins >= 0 && losses >= 0)) {
    throw new RangeError(`counts must be non-negative integers, got ${wins} and ${losses}`);
  }
  const n = wins + losses;
  if (n === 0) return 1;
  const k = Math.min(wins, losses);
  // P(X <= k) for X ~ Binomial(n, 1/2), summed in log space so that large n stays finite.
  let logTerm = -n * Math.LN2; // log C(n, 0) / 2^n
  let tail = Math.exp(logTerm);
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log((n - i + 1) / i);
    tail += Math.exp(logTerm);
  }
  return Math.min(1, 2 * tail);
}
