/**
 * Fitting a codebook's classifier to labelled feature vectors. Deterministic (no
 * random initialisation, full-batch steps), so the same vectors give the same file.
 */
import { l2Normalize } from '../privacy/vector/prepare';
import type { Classifier } from './codebook-schema';

export interface LabelledVectors {
  /** Clean feature vectors, all of one length. */
  readonly vectors: readonly ArrayLike<number>[];
  /** The label index of each vector, in [0, k). */
  readonly labels: readonly number[];
  readonly k: number;
}

export type ClassifierKind = Classifier['kind'];
export const CLASSIFIER_KINDS: readonly ClassifierKind[] = ['linear', 'nearest-centroid'];

/** Written with 7 significant digits: float32 precision, short files, and a hash that holds across machines. */
function round(x: number): number {
  return Number(x.toPrecision(7));
}

function check(data: LabelledVectors): number {
  const { vectors, labels, k } = data;
  if (vectors.length === 0) throw new RangeError('no training vectors');
  if (vectors.length !== labels.length) throw new RangeError(`${vectors.length} vectors but ${labels.length} labels`);
  const dims = vectors[0]!.length;
  const seen = new Array<boolean>(k).fill(false);
  vectors.forEach((v, i) => {
    if (v.length !== dims) throw new RangeError(`vector ${i} has ${v.length} values, the first has ${dims}`);
    const l = labels[i]!;
    if (!Number.isInteger(l) || l < 0 || l >= k) throw new RangeError(`label ${l} of vector ${i} is outside [0, ${k})`);
    seen[l] = true;
  });
  const missing = seen.indexOf(false);
  if (missing >= 0) throw new RangeError(`label ${missing} has no training vector`);
  return dims;
}

/** One centroid a label: the mean of its L2-normalised vectors, itself normalised to unit length. */
export function fitNearestCentroid(data: LabelledVectors): Classifier {
  const dims = check(data);
  const sums = Array.from({ length: data.k }, () => new Float64Array(dims));
  data.vectors.forEach((v, i) => {
    const u = l2Normalize(v);
    const s = sums[data.labels[i]!]!;
    for (let j = 0; j < dims; j++) s[j]! += u[j]!;
  });
  return { kind: 'nearest-centroid', centroids: sums.map((s) => Array.from(l2Normalize(s), round)) };
}

export interface LinearOptions {
  /** L2 penalty on the weights (of the standardised features). */
  readonly l2?: number;
  readonly iterations?: number;
  readonly learningRate?: number;
}

/**
 * Multinomial logistic regression on the L2-normalised vectors, each coordinate
 * standardised for the fit (mean 0, variance 1 over the training set) and the
 * standardisation folded back into the weights and bias, so the file holds one plain
 * linear map of the L2-normalised vector. Full-batch gradient descent with Nesterov
 * momentum on the mean cross-entropy plus l2·‖W‖²/2.
 */
export function fitLinear(data: LabelledVectors, options: LinearOptions = {}): Classifier {
  const dims = check(data);
  const { k } = data;
  const l2 = options.l2 ?? 1e-3;
  const iterations = options.iterations ?? 400;
  const rate = options.learningRate ?? 0.5;
  const n = data.vectors.length;
  const units = data.vectors.map((v) => l2Normalize(v));
  const mean = new Float64Array(dims);
  for (const u of units) for (let j = 0; j < dims; j++) mean[j]! += u[j]! / n;
  const sd = new Float64Array(dims);
  for (const u of units) for (let j = 0; j < dims; j++) sd[j]! += (u[j]! - mean[j]!) ** 2 / n;
  for (let j = 0; j < dims; j++) sd[j] = Math.sqrt(sd[j]!) || 1;
  const z = units.map((u) => Float64Array.from(u, (x, j) => (x - mean[j]!) / sd[j]!));

  // Parameters: k rows of dims weights then the bias, in one array; v is the momentum.
  const width = dims + 1;
  const w = new Float64Array(k * width);
  const v = new Float64Array(k * width);
  const look = new Float64Array(k * width);
  const grad = new Float64Array(k * width);
  const p = new Float64Array(k);
  const momentum = 0.9;
  for (let it = 0; it < iterations; it++) {
    for (let i = 0; i < w.length; i++) look[i] = w[i]! + momentum * v[i]!;
    grad.fill(0);
    for (let s = 0; s < n; s++) {
      const x = z[s]!;
      let max = -Infinity;
      for (let c = 0; c < k; c++) {
        let a = look[c * width + dims]!;
        for (let j = 0; j < dims; j++) a += look[c * width + j]! * x[j]!;
        p[c] = a;
        if (a > max) max = a;
      }
      let total = 0;
      for (let c = 0; c < k; c++) total += p[c] = Math.exp(p[c]! - max);
      for (let c = 0; c < k; c++) {
        const g = (p[c]! / total - (c === data.labels[s] ? 1 : 0)) / n;
        for (let j = 0; j < dims; j++) grad[c * width + j]! += g * x[j]!;
        grad[c * width + dims]! += g;
      }
    }
    for (let c = 0; c < k; c++) for (let j = 0; j < dims; j++) grad[c * width + j]! += l2 * look[c * width + j]!;
    for (let i = 0; i < w.length; i++) {
      v[i] = momentum * v[i]! - rate * grad[i]!;
      w[i]! += v[i]!;
    }
  }
  // Fold the standardisation in: w·((x − μ)/σ) + b = (w/σ)·x + (b − Σ w_j μ_j/σ_j).
  const weights: number[][] = [];
  const bias: number[] = [];
  for (let c = 0; c < k; c++) {
    const row: number[] = [];
    let b = w[c * width + dims]!;
    for (let j = 0; j < dims; j++) {
      row.push(round(w[c * width + j]! / sd[j]!));
      b -= (w[c * width + j]! * mean[j]!) / sd[j]!;
    }
    weights.push(row);
    bias.push(round(b));
  }
  return { kind: 'linear', weights, bias };
}

export function fitClassifier(kind: ClassifierKind, data: LabelledVectors): Classifier {
  return kind === 'linear' ? fitLinear(data) : fitNearestCentroid(data);
}
