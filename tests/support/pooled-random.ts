// A RandomSource for tests that make millions of releases: Web Crypto costs about 3 µs a call whatever
// the size up to 64 KiB, and a release asks for a few hundred words, so this source takes its words
// from crypto.getRandomValues 16 384 at a time and hands them out in order, each once. The words are
// the same uniform Web Crypto words; only the number of calls changes.
import type { RandomSource } from '../../src/privacy/random/random-source';

const POOL_WORDS = 16_384; // 64 KiB, the most one getRandomValues call fills

export function pooledCryptoSource(): RandomSource {
  const pool = new Uint32Array(POOL_WORDS);
  let next = POOL_WORDS;
  return {
    fillUint32(target: Uint32Array): void {
      let filled = 0;
      while (filled < target.length) {
        if (next === POOL_WORDS) {
          crypto.getRandomValues(pool);
          next = 0;
        }
        const take = Math.min(target.length - filled, POOL_WORDS - next);
        target.set(pool.subarray(next, next + take), filled);
        next += take;
        filled += take;
      }
    },
  };
}
