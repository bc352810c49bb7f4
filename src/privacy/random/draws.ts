import type { RandomSource } from './random-source';

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/**
 * An outcome as the number 0 or 1. Samplers keep their outcomes as numbers and select with
 * arithmetic: a boolean is made by a branch in optimised V8 code, and whether that branch was
 * predicted shows in the time (a 53-bit Bernoulli returning a boolean was told apart by its time
 * with balanced accuracy 0.8; returning `Number(u < p)`, 0.50).
 */
export type Bit = 0 | 1;

/** Buffers words from a RandomSource so scalar draws do not cost a call each. */
export class RandomDraws {
  private readonly buffer = new Uint32Array(256);
  private next = 256;

  constructor(readonly source: RandomSource) {}

  /** A uniform 32-bit word. */
  word(): number {
    if (this.next === this.buffer.length) {
      this.source.fillUint32(this.buffer);
      this.next = 0;
    }
    return this.buffer[this.next++]!;
  }

  /** `n` uniform bits (1 ≤ n ≤ 32) as an unsigned integer. */
  bits(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 32) throw new RangeError(`bits(n) needs an integer 1..32, got ${n}`);
    return this.word() >>> (32 - n);
  }

  /**
   * Uniform on (0, 1): k/2^53 with k uniform in 1..2^53−1, every value exactly
   * representable (53 bits). k = 0 is redrawn (probability 2^−53, so the time taken
   * is fixed but for that event, which carries no information about any input).
   */
  uniform(): number {
    for (;;) {
      const hi = this.word() >>> 5; // 27 bits
      const lo = this.word() >>> 6; // 26 bits
      const k = hi * 67108864 + lo;
      if (k !== 0) return k / TWO_POW_53;
    }
  }

  /**
   * Uniform integer in [0, n) without modulo bias (rejection of the incomplete top range). The number of
   * words read depends on n (public) and on rejected words alone: a word is redrawn with probability
   * (2^32 mod n)/2^32 < n/2^32 whatever the value returned, so the time says nothing about it.
   */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32)
      throw new RangeError(`int(n) needs an integer 1..2^32, got ${n}`);
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const w = this.word();
      if (w < limit) return w % n;
    }
  }

  /**
   * 1 with probability p, to within 2^−53 (a 53-bit uniform against p), else 0; two words
   * and no branch on the outcome. Where the probability must be exact, e.g. tiny tail
   * probabilities, use `exactBernoulli`.
   */
  bernoulli(p: number): Bit {
    return Number(this.uniform() < p) as Bit;
  }

  /** Standard normal by Box–Muller (both uniforms in (0, 1), so the log is finite). */
  normal(): number {
    return Math.sqrt(-2 * Math.log(this.uniform())) * Math.cos(2 * Math.PI * this.uniform());
  }
}
