/**
 * The one source of randomness for privacy code. Every release draws from
 * `cryptoRandomSource` (Web Crypto); tests may pass a seeded implementation.
 */
export interface RandomSource {
  /** Fills the array with independent uniform 32-bit words. */
  fillUint32(target: Uint32Array): void;
}

/** Uniform words from `crypto.getRandomValues` (Web Crypto; Node 20 and browsers). */
export const cryptoRandomSource: RandomSource = {
  fillUint32(target: Uint32Array): void {
    // getRandomValues fills at most 65 536 bytes per call.
    for (let i = 0; i < target.length; i += 16384)
      crypto.getRandomValues(target.subarray(i, Math.min(target.length, i + 16384)));
  },
};
