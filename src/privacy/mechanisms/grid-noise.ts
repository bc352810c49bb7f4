/**
 * What the grid mechanisms (discrete Gaussian, Laplace) share: a sampler of integer noise that
 * writes into an array (V8 boxes a returned number beyond 2^30 in a new heap number, so the
 * mechanisms use `into`), and the release itself — each coordinate rounded at random to the grid,
 * noise added, and the sum clamped to the public bound (output-bounds.ts). The clamp is
 * post-processing of the noisy value, so it costs no privacy; it and the rounding are arithmetic on
 * 0/1 (exact: integers below 2^53), so neither the rounding, nor whether the bound was hit, shows
 * in the time.
 */
import type { RandomDraws } from '../random/draws';

/** Integer noise, drawn with the same work every time. */
export interface GridSampler {
  (draws: RandomDraws): number;
  into(draws: RandomDraws, out: Float64Array, index: number): void;
}

/** A sampler from its `into`; called directly it returns the draw. */
export function gridSampler(into: GridSampler['into']): GridSampler {
  const scratch = new Float64Array(1);
  return Object.assign(
    (draws: RandomDraws): number => {
      into(draws, scratch, 0);
      return scratch[0]!;
    },
    { into },
  );
}

/** x rounded at random to the grid `step`, plus noise, clamped to ±bound steps: every value a multiple of the step. */
export function clampedGridNoise(
  x: Float64Array,
  step: number,
  bound: number,
  sampler: GridSampler,
  draws: RandomDraws,
): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const scaled = x[i]! / step; // exact: the step is a power of two
    const floor = Math.floor(scaled);
    const onGrid = floor + Number(draws.uniform() < scaled - floor); // unbiased, no branch on the rounding
    sampler.into(draws, out, i);
    const y = onGrid + out[i]!;
    const above = Number(y > bound);
    const below = Number(y < -bound);
    out[i] = ((above - below) * bound + (1 - above - below) * y) * step;
  }
  return out;
}
