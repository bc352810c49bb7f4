/**
 * Quantisation for aggregation in a finite field: s·x rounded to integers at random,
 * up with probability equal to the fractional part, so E[round(s·x)] = s·x
 * (Kairouz, Liu, Steinke 2021, "The Distributed Discrete Gaussian Mechanism", §4).
 *
 * KLS and Agarwal, Kairouz, Liu 2021 keep the rounded norm bounded by conditional
 * rounding: redraw until ‖round(s·x)‖₂ is below a high-probability bound. A redraw loop
 * runs a data-dependent number of times, and its acceptance biases the estimate. This
 * uses the deterministic bound instead: every coordinate moves by less than 1, so
 *   ‖round(s·x)‖₂ < s‖x‖₂ + √d   and   ‖round(s·x)‖₁ < s‖x‖₁ + d ≤ s√d‖x‖₂ + d,
 * which holds for every draw, with two words per coordinate (a fixed amount of work).
 * With s ≫ √d the bound costs little: at s = 1024, d = 96, the L2 bound is 1.0096·s.
 * The comparison uses a 53-bit uniform, so each rounding is unbiased to within 2^−53.
 */
import type { RandomDraws } from '../random/draws';

/** Norm bounds of the rounded vector for inputs of L2 norm ≤ clip at this scale. */
export function quantisedNormBounds(scale: number, clip: number, dims: number): { l2: number; l1: number } {
  return { l2: scale * clip + Math.sqrt(dims), l1: scale * clip * Math.sqrt(dims) + dims };
}

/** round(scale·x) with unbiased randomised rounding; exactly two words per coordinate. */
export function quantiseUnbiased(x: ArrayLike<number>, scale: number, draws: RandomDraws): Int32Array {
  const out = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = scale * x[i]!;
    const floor = Math.floor(v);
    // v − floor(v) is exact in binary floating point.
    out[i] = draws.uniform() < v - floor ? floor + 1 : floor;
  }
  return out;
}
