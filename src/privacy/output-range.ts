/**
 * What each mechanism can output, from public numbers alone, and the one check of an output
 * against it. The device's mechanisms produce only what this admits (Gaussian and Laplace clamp
 * to the bound of output-bounds.ts, PrivUnit scales to its calibrated norm, k-RR and OUE draw
 * within k), and the collector refuses anything else, with the same function at both ends:
 * src/report/schema.ts checks every report against the range of its own parameters, where it
 * is built on the device and where the collector receives it, and calibration-check.ts finds
 * those parameters equal to the calibration recomputed from (ε, δ, d, C).
 */
import type { VectorMechanismRecord } from './mechanism';
import { gaussianBoundUnits } from './output-bounds';

export type OutputRange =
  /** Gaussian, Laplace: exact multiples of `step` within ±bound steps. */
  | { readonly kind: 'grid'; readonly mechanism: 'gaussian' | 'laplace'; readonly step: number; readonly bound: number }
  /** PrivUnit: a vector of norm `norm` (to 1e-9 relative). */
  | { readonly kind: 'sphere'; readonly norm: number }
  /** k-RR: one value in [0, k). */
  | { readonly kind: 'index'; readonly k: number }
  /** OUE: k bits. */
  | { readonly kind: 'bits'; readonly k: number };

export type RangedMechanism = VectorMechanismRecord | { readonly name: 'krr' | 'oue' };

/**
 * The range of a mechanism's output from its public parameters (a report's mechanism record,
 * or one built from a calibration) and, for categories, the codebook size k.
 */
export function outputRange(mechanism: RangedMechanism, k = 0): OutputRange {
  switch (mechanism.name) {
    case 'gaussian': {
      // σ is σ in grid units times the power-of-two step, so σ/step gives those units back exactly
      // (a forged σ whose units underflow or overflow admits only zeros; its calibration check refuses it).
      const sigmaUnits = mechanism.sigma / mechanism.step;
      const usable = sigmaUnits > 0 && Number.isFinite(sigmaUnits);
      const bound = usable ? gaussianBoundUnits(sigmaUnits, mechanism.clip, mechanism.step) : 0;
      return { kind: 'grid', mechanism: 'gaussian', step: mechanism.step, bound };
    }
    case 'laplace':
      return { kind: 'grid', mechanism: 'laplace', step: mechanism.step, bound: mechanism.bound };
    case 'privunit':
      return { kind: 'sphere', norm: mechanism.scale };
    case 'krr':
      return { kind: 'index', k };
    case 'oue':
      return { kind: 'bits', k };
  }
}

export type MechanismOutput =
  { readonly vector: ArrayLike<number> } | { readonly value: number } | { readonly bits: ArrayLike<number> };

/** Where an output leaves its range: the field, the coordinate (vectors), and what is wrong. */
export interface RangeProblem {
  readonly path: 'vector' | 'category.value' | 'category.bits';
  readonly index?: number;
  readonly message: string;
}

/** The first way `output` lies outside `range`, or null when it lies within. */
export function outputRangeProblem(range: OutputRange, output: MechanismOutput): RangeProblem | null {
  switch (range.kind) {
    case 'grid': {
      if (!('vector' in output)) return { path: 'vector', message: `${range.mechanism} releases a vector` };
      for (let i = 0; i < output.vector.length; i++) {
        const v = output.vector[i]!;
        const k = v / range.step;
        if (!Number.isInteger(k))
          return { path: 'vector', index: i, message: `${v} is not a multiple of the grid step ${range.step}` };
        if (Math.abs(k) > range.bound) {
          const name = range.mechanism === 'gaussian' ? 'Gaussian' : 'Laplace';
          const message = `${v} is beyond the ${name} bound ±${range.bound} steps (±${range.bound * range.step})`;
          return { path: 'vector', index: i, message };
        }
      }
      return null;
    }
    case 'sphere': {
      if (!('vector' in output)) return { path: 'vector', message: 'privunit releases a vector' };
      let sq = 0;
      for (let i = 0; i < output.vector.length; i++) sq += output.vector[i]! ** 2;
      const norm = Math.sqrt(sq);
      return Math.abs(norm - range.norm) <= 1e-9 * range.norm
        ? null
        : { path: 'vector', message: `norm ${norm} is not the PrivUnit scale ${range.norm}` };
    }
    case 'index':
      if (!('value' in output)) return { path: 'category.value', message: 'krr releases a value' };
      return Number.isInteger(output.value) && output.value >= 0 && output.value < range.k
        ? null
        : { path: 'category.value', message: `expected a value below ${range.k}, got ${output.value}` };
    case 'bits': {
      if (!('bits' in output)) return { path: 'category.bits', message: 'oue releases bits' };
      if (output.bits.length !== range.k)
        return { path: 'category.bits', message: `expected ${range.k} bits, got ${output.bits.length}` };
      for (let i = 0; i < output.bits.length; i++)
        if (output.bits[i] !== 0 && output.bits[i] !== 1)
          return { path: 'category.bits', message: `bit ${i} is ${output.bits[i]}, not 0 or 1` };
      return null;
    }
  }
}
