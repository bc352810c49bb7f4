import type { RandomSource } from './random-source';

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

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

  /** Uniform on (0, 1): a 53-bit grid, offset by half a step so neither end is reached. */
  uniform(): number {
    const hi = this.word() >>> 5; // 27 bits
    const lo = this.word() >>> 6; // 26 bits
    return (hi * 67108864 + lo + 0.5) / TWO_POW_53;
  }

  /** Uniform integer in [0, n) without modulo bias (rejection of the incomplete top range). */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) throw new RangeError(`int(n) needs an integer 1..2^32, got ${n}`);
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const w = this.word();
      if (w < limit) return w % n;
    }
  }

  /** True with probability p (to 2^-53). */
  bernoulli(p: number): boolean {
    return this.uniform() < p;
  }

  /** Standard normal by Box–Muller (both uniforms in (0, 1), so the log is finite). */
  normal(): number {
    return Math.sqrt(-2 * Math.log(this.uniform())) * Math.cos(2 * Math.PI * this.uniform());
  }
}
