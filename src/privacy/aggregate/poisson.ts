/**
 * Poisson(μ) by table inversion with integer weights and a fixed amount of work per draw,
 * and Skellam(μ) = Poisson(μ) − Poisson(μ) (Agarwal, Kairouz, Liu 2021) from two draws.
 *
 * Knuth's multiply-uniforms loop and the usual rejection samplers run a random number
 * of steps that grows with the outcome: their running time tells an observer about the
 * noise. Here every draw reads 36 words (a 1152-bit uniform) and makes exactly `steps`
 * comparisons of a binary search over a power-of-two table, whatever comes out.
 *
 * The table holds P(k)/P(mode) for every k whose ratio is at least 2^−970, computed by
 * the exact recurrences P(k+1)/P(k) = μ/(k+1) and P(k−1)/P(k) = k/μ stepping out from
 * the mode (two roundings per step, so a ratio j steps away is within (1 ± 2^−53)^(2j)),
 * scaled by 2^1023 to integers (exact: every kept ratio times 2^1023 is ≥ 2^53, an integer
 * double). A uniform integer U in [0, T) of the weights' total T is a 1152-bit uniform
 * reduced mod T (relative bias ≤ T/2^1152 < 2^−110). So for every k in the window,
 * P̃(k)/P(k) lies in [e^−logLower, e^logUpper] (both about |window|·2^−52), and P̃ is 0
 * outside it, where P has mass at most `tailMass` (< 2^−960): the calibration charges
 * these to ε and δ (plan.ts). The window is that wide because the local guarantee, whose
 * ε is large, pays e^ε times the missing mass in δ. Residual risk: table lookups and BigInt arithmetic touch
 * memory and take time that can depend slightly on the values; the count of steps does not.
 */
import type { RandomDraws } from '../random/draws';
import { invalidParameter } from '../errors';

const SCALE = 2 ** 1023;
const MIN_RATIO = 2 ** -970;
/** 1152 random bits, reduced mod a total below 2^1042. */
const UNIFORM_WORDS = 36;
/** The largest table: μ up to about 10^7. */
export const MAX_POISSON_TABLE = 1 << 18;

export interface PoissonWindow {
  readonly mu: number;
  /** The smallest value in the table. */
  readonly first: number;
  /** Values in the table (first … first + size − 1). */
  readonly size: number;
  /** Upper bound on log(P̃(k)/P(k)) for every k in the table. */
  readonly logUpper: number;
  /** Upper bound on log(P(k)/P̃(k)) for every k in the table. */
  readonly logLower: number;
  /** Upper bound on the Poisson mass outside the table (P̃ is 0 there). */
  readonly tailMass: number;
  /** P(k)/P(mode) for k = first … first + size − 1. */
  readonly ratios: readonly number[];
}

export interface PoissonSampler extends Omit<PoissonWindow, 'ratios'> {
  /** Binary-search steps per draw: log2 of the padded table. */
  readonly steps: number;
  readonly cumulative: readonly bigint[];
  readonly total: bigint;
}

const cache = new Map<number, PoissonSampler>();

/** The sampler for Poisson(μ), built once per μ. */
export function poissonSampler(mu: number): PoissonSampler {
  const hit = cache.get(mu);
  if (hit) return hit;
  const built = build(mu);
  if (cache.size > 64) cache.clear();
  cache.set(mu, built);
  return built;
}

/** The window's ratios and error bounds for Poisson(μ), without the integer table. */
export function poissonWindow(mu: number): PoissonWindow {
  if (typeof mu !== 'number' || !(mu > 0 && Number.isFinite(mu)))
    throw invalidParameter('mu', 'a finite number > 0', mu);
  const tooLarge = () => invalidParameter('mu', `small enough for a table of ${MAX_POISSON_TABLE}`, mu);
  const mode = Math.floor(mu);
  const up: number[] = [];
  let r = 1;
  let k = mode;
  for (;;) {
    const next = (r * mu) / (k + 1);
    if (next < MIN_RATIO) break;
    up.push(next);
    r = next;
    k++;
    if (up.length > MAX_POISSON_TABLE) throw tooLarge();
  }
  // Tail above: terms fall by μ/(j+1) ≤ μ/(k+2) < 1 from the first excluded one on.
  const upperTail = (r * mu) / (k + 1) / (1 - mu / (k + 2));
  const down: number[] = [];
  r = 1;
  k = mode;
  let lowerTail = 0;
  while (k > 0) {
    const prev = (r * k) / mu;
    if (prev < MIN_RATIO) {
      // Terms below fall by j/μ ≤ (k − 1)/μ < 1.
      lowerTail = prev / (1 - (k - 1) / mu);
      break;
    }
    down.push(prev);
    r = prev;
    k--;
    if (down.length > MAX_POISSON_TABLE) throw tooLarge();
  }
  const ratios = [...down.reverse(), 1, ...up];
  if (ratios.length > MAX_POISSON_TABLE) throw tooLarge();
  let windowMass = 0;
  for (const x of ratios) windowMass += x;
  const maxSteps = Math.max(up.length, down.length);
  // Relative error of a ratio (2 roundings a step), of the normalising total, and of the reduction mod T.
  const e = 2.001 * maxSteps * 2 ** -53;
  const b = 2 ** -110;
  const tailMass = (upperTail + lowerTail) / windowMass;
  const logUpper = Math.log1p(e) + Math.log1p(b) - Math.log1p(-e) - Math.log1p(-tailMass);
  const logLower = Math.log1p(e) - Math.log1p(-e) - Math.log1p(-b);
  return { mu, first: mode - down.length, size: ratios.length, logUpper, logLower, tailMass, ratios };
}

function build(mu: number): PoissonSampler {
  const { ratios, ...window } = poissonWindow(mu);
  const steps = Math.max(1, Math.ceil(Math.log2(ratios.length)));
  const cumulative: bigint[] = new Array<bigint>(2 ** steps);
  let total = 0n;
  for (let i = 0; i < ratios.length; i++) {
    total += BigInt(ratios[i]! * SCALE);
    cumulative[i] = total;
  }
  for (let i = ratios.length; i < cumulative.length; i++) cumulative[i] = total;
  return { ...window, steps, cumulative, total };
}

/** One Poisson draw: 36 words and `steps` comparisons, whatever the outcome. */
export function drawPoisson(sampler: PoissonSampler, draws: RandomDraws): number {
  let u = 0n;
  for (let i = 0; i < UNIFORM_WORDS; i++) u = (u << 32n) | BigInt(draws.word());
  u %= sampler.total;
  // Count the cumulative weights ≤ u: that index is the outcome.
  let pos = 0;
  for (let step = 2 ** (sampler.steps - 1); step >= 1; step /= 2) {
    if (sampler.cumulative[pos + step - 1]! <= u) pos += step;
  }
  return sampler.first + pos;
}

/** One Skellam(μ) draw (variance 2μ): the difference of two Poisson(μ) draws. */
export function drawSkellam(sampler: PoissonSampler, draws: RandomDraws): number {
  return drawPoisson(sampler, draws) - drawPoisson(sampler, draws);
}
