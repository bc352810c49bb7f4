/**
 * A codebook's linear classifier as one flat parameter vector, the form federated training
 * averages: k rows of `dims` weights, then the k biases. It reads L2-normalised vectors, as
 * every codebook does (codebook-schema.ts).
 */
import type { Classifier } from './codebook-schema';

export type LinearClassifier = Extract<Classifier, { kind: 'linear' }>;

export interface LinearHead {
  readonly k: number;
  readonly dims: number;
  /** k·dims weights (row c at c·dims), then k biases: k·(dims + 1) numbers. */
  readonly params: Float64Array;
}

export function headSize(k: number, dims: number): number {
  return k * (dims + 1);
}

/** The zero head: every label scores 0, so the first label wins every tie until training moves it. */
export function zeroHead(k: number, dims: number): LinearHead {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`a head needs at least 2 labels, not ${k}`);
  if (!Number.isInteger(dims) || dims < 1) throw new RangeError(`a head needs at least 1 dimension, not ${dims}`);
  return { k, dims, params: new Float64Array(headSize(k, dims)) };
}

export function headFromClassifier(classifier: LinearClassifier): LinearHead {
  const k = classifier.weights.length;
  const dims = classifier.weights[0]!.length;
  const head = zeroHead(k, dims);
  classifier.weights.forEach((row, c) => head.params.set(row, c * dims));
  head.params.set(classifier.bias, k * dims);
  return head;
}

/** Written with 7 significant digits, as fitted codebooks are: float32 precision and a stable hash. */
export function headToClassifier(head: LinearHead): LinearClassifier {
  const round = (x: number) => Number(x.toPrecision(7));
  const { k, dims, params } = head;
  const weights = Array.from({ length: k }, (_, c) => Array.from(params.subarray(c * dims, (c + 1) * dims), round));
  return { kind: 'linear', weights, bias: Array.from(params.subarray(k * dims), round) };
}

/** The scores of one L2-normalised vector into `out` (length k). */
export function headScores(head: LinearHead, x: ArrayLike<number>, out: Float64Array): Float64Array {
  const { k, dims, params } = head;
  for (let c = 0; c < k; c++) {
    let a = params[k * dims + c]!;
    const row = c * dims;
    for (let j = 0; j < dims; j++) a += params[row + j]! * x[j]!;
    out[c] = a;
  }
  return out;
}

/** The label with the highest score; ties go to the lowest index. */
export function headLabel(head: LinearHead, x: ArrayLike<number>, scratch = new Float64Array(head.k)): number {
  const scores = headScores(head, x, scratch);
  let best = 0;
  for (let c = 1; c < head.k; c++) if (scores[c]! > scores[best]!) best = c;
  return best;
}
