import { ObscuraError } from '../../errors';
import { requireInteger } from '../errors';

/**
 * A fixed public projection to k dimensions: k orthonormal rows in R^d, made from a
 * public seed with a deterministic generator (xoshiro128**) and Gram–Schmidt. The
 * seed and shape form its id, which travels in reports, so a collector can rebuild
 * it. It is public, so it is NOT drawn from the RandomSource.
 */
export interface Projection {
  readonly id: string;
  readonly inputDims: number;
  readonly dims: number;
  /** Row-major k x d. */
  readonly rows: Float64Array;
}

export const DEFAULT_PROJECTION_SEED = 20261122;

export function projectionId(seed: number, inputDims: number, dims: number): string {
  return `rorth-${seed}-${inputDims}x${dims}`;
}

export function randomOrthogonalProjection(
  inputDims: number,
  dims: number,
  seed = DEFAULT_PROJECTION_SEED,
): Projection {
  requireInteger('projection dims', dims, 1, inputDims);
  requireInteger('projection seed', seed, 0, 2 ** 32 - 1);
  const next = xoshiro128(seed);
  const gaussian = () =>
    Math.sqrt(-2 * Math.log((next() + 0.5) / 4294967296)) * Math.cos((2 * Math.PI * next()) / 4294967296);
  const rows = new Float64Array(dims * inputDims);
  for (let r = 0; r < dims; r++) {
    const row = rows.subarray(r * inputDims, (r + 1) * inputDims);
    for (let i = 0; i < inputDims; i++) row[i] = gaussian();
    // Gram–Schmidt twice, for orthogonality to double precision.
    for (let pass = 0; pass < 2; pass++) {
      for (let q = 0; q < r; q++) {
        const prev = rows.subarray(q * inputDims, (q + 1) * inputDims);
        let dot = 0;
        for (let i = 0; i < inputDims; i++) dot += row[i]! * prev[i]!;
        for (let i = 0; i < inputDims; i++) row[i]! -= dot * prev[i]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < inputDims; i++) norm += row[i]! * row[i]!;
    norm = Math.sqrt(norm);
    for (let i = 0; i < inputDims; i++) row[i]! /= norm;
  }
  return { id: projectionId(seed, inputDims, dims), inputDims, dims, rows };
}

/** Parses an id made by `projectionId` and rebuilds that projection. */
export function projectionFromId(id: string): Projection {
  const m = /^rorth-(\d+)-(\d+)x(\d+)$/.exec(id);
  if (!m)
    throw new ObscuraError('InvalidParameterError', `unknown projection id "${id}"; expected rorth-<seed>-<d>x<k>`);
  return randomOrthogonalProjection(Number(m[2]), Number(m[3]), Number(m[1]));
}

export function project(projection: Projection, vector: ArrayLike<number>): Float64Array {
  if (vector.length !== projection.inputDims) {
    throw new ObscuraError(
      'InvalidVectorError',
      `projection ${projection.id} expects ${projection.inputDims} values, got ${vector.length}`,
    );
  }
  const out = new Float64Array(projection.dims);
  for (let r = 0; r < projection.dims; r++) {
    let s = 0;
    const base = r * projection.inputDims;
    for (let i = 0; i < projection.inputDims; i++) s += projection.rows[base + i]! * vector[i]!;
    out[r] = s;
  }
  return out;
}

function xoshiro128(seed: number): () => number {
  // SplitMix32 spreads the seed over the four words of state.
  let s = seed >>> 0;
  const split = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split(),
    b = split(),
    c = split(),
    d = split();
  return () => {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    return result;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
