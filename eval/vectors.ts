/** Small vector helpers for evaluations: float64 accumulation over Float32Array features. */

export type Vector = ArrayLike<number>;

export function dot(a: Vector, b: Vector): number {
  if (a.length !== b.length) throw new RangeError(`vector lengths differ: ${a.length} vs ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function norm(a: Vector): number {
  return Math.sqrt(dot(a, a));
}

/** Cosine similarity; 0 when either vector is zero (it has no direction to compare). */
export function cosine(a: Vector, b: Vector): number {
  const na = norm(a);
  const nb = norm(b);
  return na === 0 || nb === 0 ? 0 : dot(a, b) / (na * nb);
}

/** A unit-length copy (the zero vector stays zero), as the privacy layer's first step does. */
export function l2Normalize(a: Vector): Float64Array {
  const n = norm(a);
  const out = new Float64Array(a.length);
  if (n === 0) return out;
  for (let i = 0; i < a.length; i++) out[i] = a[i]! / n;
  return out;
}

/** Component-wise mean of equally long vectors. */
export function mean(vectors: readonly Vector[]): Float64Array {
  if (vectors.length === 0) throw new RangeError('mean of no vectors');
  const d = vectors[0]!.length;
  const out = new Float64Array(d);
  for (const v of vectors) {
    if (v.length !== d) throw new RangeError(`vector lengths differ: ${v.length} vs ${d}`);
    for (let i = 0; i < d; i++) out[i]! += v[i]!;
  }
  for (let i = 0; i < d; i++) out[i]! /= vectors.length;
  return out;
}

/** Each vector minus `center` (e.g. a mean estimated on other data). */
export function subtract(vectors: readonly Vector[], center: Vector): Float64Array[] {
  return vectors.map((v) => {
    if (v.length !== center.length) throw new RangeError(`vector lengths differ: ${v.length} vs ${center.length}`);
    const out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = v[i]! - center[i]!;
    return out;
  });
}
