import { ObscuraError } from '../../errors';

/** Throws InvalidVectorError unless every value is finite and, when given, the length is `dims`. */
export function checkVector(vector: ArrayLike<number>, dims?: number): void {
  if (dims !== undefined && vector.length !== dims) {
    throw new ObscuraError('InvalidVectorError', `expected a vector of ${dims} values, got ${vector.length}`);
  }
  if (vector.length === 0) throw new ObscuraError('InvalidVectorError', 'the vector is empty');
  for (let i = 0; i < vector.length; i++) {
    if (!Number.isFinite(vector[i]!))
      throw new ObscuraError('InvalidVectorError', `value ${i} is ${vector[i]}; every value must be finite`);
  }
}

export function l2Norm(vector: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < vector.length; i++) s += vector[i]! * vector[i]!;
  return Math.sqrt(s);
}

/**
 * The unit vector in the direction of `vector`. The zero vector has no direction;
 * it maps to a fixed public unit vector (e_0), so the output is still a valid
 * input for every mechanism and reveals nothing beyond "zero or e_0".
 */
export function l2Normalize(vector: ArrayLike<number>): Float64Array {
  const n = l2Norm(vector);
  const out = new Float64Array(vector.length);
  if (n === 0) {
    out[0] = 1;
    return out;
  }
  for (let i = 0; i < vector.length; i++) out[i] = vector[i]! / n;
  return out;
}

/** Scales `vector` down to L2 norm `clip` when it is longer; shorter vectors are unchanged. */
export function clipToNorm(vector: ArrayLike<number>, clip: number): Float64Array {
  const n = l2Norm(vector);
  const f = n > clip ? clip / n : 1;
  return Float64Array.from(vector, (x) => x * f);
}
