/**
 * The range every release must fall in, enforced by `validateParams` before any noise
 * is drawn. A floor on ε stops a flood of near-free releases (1000 Gaussian releases at
 * ε = 1e-9 would otherwise average back to the clean vector), the ceiling keeps one
 * release from being nearly clean, and δ may not exceed the device-wide target that
 * the budget's composition is stated against.
 */

/** The smallest ε one release may state. */
export const EPSILON_MIN = 0.01;
/** The largest ε one release may state. */
export const EPSILON_MAX = 16;
/** The device-wide δ: every release is composed by its privacy-loss distribution and stated as (ε, δ) at this δ. */
export const DELTA_TARGET = 1e-6;
/**
 * The part of the device's δ that (ε, δ) charges (aggregate-only releases) may use between them,
 * summed; the rest is what the other charges are composed at. So the device's promise stays one
 * (ε, DELTA_TARGET) however the two kinds mix.
 */
export const APPROX_DELTA_CAP = DELTA_TARGET / 2;
/** The largest δ one (ε, δ) release may state: 49 of them fit APPROX_DELTA_CAP (each δ is rounded up to DELTA_GRID). */
export const APPROX_DELTA_MAX = 1e-8;
/** The smallest δ a Gaussian release may state (far above the sampler's 2^−80 reserve, discrete-gaussian.ts). */
export const DELTA_MIN = 1e-15;
/** Largest vector dimension a mechanism accepts (and a report may carry). */
export const DIMS_MAX = 4096;
/** Largest codebook size for k-RR / OUE. */
export const CATEGORIES_MAX = 1 << 16;
