// TEST ONLY: a seeded RandomSource (SplitMix32 stream), so a test can show that a
// mechanism's output is a function of the source's words and nothing else. Releases
// always use cryptoRandomSource; src/privacy has no seeded source.
import type { RandomSource } from '../../../src/privacy/random/random-source';

export function seededSource(seed: number): RandomSource {
  let s = seed >>> 0;
  return {
    fillUint32(target: Uint32Array): void {
      for (let i = 0; i < target.length; i++) {
        s = (s + 0x9e3779b9) >>> 0;
        let z = s;
        z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
        z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
        target[i] = (z ^ (z >>> 16)) >>> 0;
      }
    },
  };
}
