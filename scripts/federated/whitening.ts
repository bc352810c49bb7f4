// The coordinator's optimizer in standardised coordinates. The extractor's L2-normalised features share
// one dominant direction (their mean has norm near 1) and vary by a few hundredths a coordinate around it,
// so in the head's own coordinates the steps that separate the classes are hundreds of times smaller than
// the step along the mean: plain or Adam server steps need thousands of rounds. The central fit
// (codebook/train.ts) standardises each coordinate for the same reason. Here the server keeps the head as
// W′, b′ over z = (x − m)/σ, with m and σ public statistics, and publishes the equivalent plain head over
// x: W = W′·diag(1/σ), b = b′ − W′(m/σ), i.e. θₓ = J·θ_z. The devices train the published head as
// before; their released mean change Δₓ is pulled back as Jᵀ·Δₓ (for one gradient step, exactly the
// change the same step would make in z), and the server optimizer steps in z. Only released sums and
// public statistics are used: post-processing, no privacy spent.
import { l2Normalize } from '../../src/privacy/vector/prepare';
import type { LinearHead } from '../../src/codebook/linear-head';

export interface FeatureStats {
  /** Mean of the L2-normalised vectors, per coordinate. */
  readonly mean: Float64Array;
  /** Their standard deviation, per coordinate (never 0). */
  readonly sd: Float64Array;
}

export function featureStats(vectors: readonly ArrayLike<number>[]): FeatureStats {
  const dims = vectors[0]!.length;
  const n = vectors.length;
  const units = vectors.map((v) => l2Normalize(v));
  const mean = new Float64Array(dims);
  for (const u of units) for (let j = 0; j < dims; j++) mean[j]! += u[j]! / n;
  const sd = new Float64Array(dims);
  for (const u of units) for (let j = 0; j < dims; j++) sd[j]! += (u[j]! - mean[j]!) ** 2 / n;
  for (let j = 0; j < dims; j++) sd[j] = Math.sqrt(sd[j]!) || 1;
  return { mean, sd };
}

/** θₓ = J·θ_z: the plain head over x equivalent to the standardised head. */
export function toPlain(z: LinearHead, s: FeatureStats): LinearHead {
  const { k, dims } = z;
  const params = new Float64Array(z.params.length);
  for (let c = 0; c < k; c++) {
    let shift = 0;
    for (let j = 0; j < dims; j++) {
      const w = z.params[c * dims + j]!;
      params[c * dims + j] = w / s.sd[j]!;
      shift += (w * s.mean[j]!) / s.sd[j]!;
    }
    params[k * dims + c] = z.params[k * dims + c]! - shift;
  }
  return { k, dims, params };
}

/** θ_z = J⁻¹·θₓ: the standardised head equivalent to a plain one (W′ = W·diag(σ), b′ = b + W·m). */
export function toStandardised(x: LinearHead, s: FeatureStats): LinearHead {
  const { k, dims } = x;
  const params = new Float64Array(x.params.length);
  for (let c = 0; c < k; c++) {
    let shift = 0;
    for (let j = 0; j < dims; j++) {
      const w = x.params[c * dims + j]!;
      params[c * dims + j] = w * s.sd[j]!;
      shift += w * s.mean[j]!;
    }
    params[k * dims + c] = x.params[k * dims + c]! + shift;
  }
  return { k, dims, params };
}

/** Jᵀ·Δₓ: a change of the plain head pulled back to the standardised coordinates. */
export function pullBack(change: ArrayLike<number>, k: number, dims: number, s: FeatureStats): Float64Array {
  const out = new Float64Array(change.length);
  for (let c = 0; c < k; c++) {
    const db = change[k * dims + c]!;
    for (let j = 0; j < dims; j++) out[c * dims + j] = (change[c * dims + j]! - db * s.mean[j]!) / s.sd[j]!;
    out[k * dims + c] = db;
  }
  return out;
}
