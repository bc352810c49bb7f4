/**
 * Training in standardised coordinates. The extractor's L2-normalised features share one dominant
 * direction (their mean has norm near 1) and vary by a few hundredths a coordinate around it, so in
 * the head's own coordinates the steps that separate the classes are hundreds of times smaller than
 * the step along the mean, and a whole update clipped to a norm spends nearly all of it there. The
 * central fit (codebook/train.ts) standardises each coordinate for the same reason. A task that
 * declares public statistics m and σ of its features (train-task.ts `standardise`) trains the head as
 * W′, b′ over z = (x − m)/σ: the device maps the published plain head to those coordinates, steps on
 * its own standardised examples, and clips and sends the change there (local-update.ts); the
 * coordinator steps there too and publishes the equivalent plain head over x: W = W′·diag(1/σ),
 * b = b′ − W′(m/σ) (server-optimizer.ts serverRound). Codebooks stay plain linear maps of x. Only
 * public statistics are used: no privacy is spent on them.
 */
import { l2Normalize } from '../privacy/vector/prepare';
import type { LinearHead } from './linear-head';

export interface FeatureStats {
  /** Mean of the L2-normalised vectors, per coordinate. */
  readonly mean: ArrayLike<number>;
  /** Their standard deviation, per coordinate (never 0). */
  readonly sd: ArrayLike<number>;
}

export function featureStats(vectors: readonly ArrayLike<number>[]): { mean: Float64Array; sd: Float64Array } {
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

/** (u − m)/σ of an L2-normalised vector u. */
export function standardiseVector(u: ArrayLike<number>, s: FeatureStats): Float64Array {
  return Float64Array.from(u, (x, j) => (x - s.mean[j]!) / s.sd[j]!);
}
