/**
 * A device's contribution to a round of federated training: a few full-batch gradient steps of
 * the head on the person's own labelled examples (mean cross-entropy of the softmax), returned as
 * the change of the parameters and clipped to the task's L2 norm. Clipping the whole update, not
 * each example's gradient, bounds one person's contribution to a round (user-level privacy).
 * With public feature statistics (a task's `standardise`), the steps, the change and its clipping are
 * in standardised coordinates (standardise.ts), where the coordinator applies it.
 * Pure and deterministic; the noise is added afterwards (privacy/aggregate/noisy-vector.ts).
 */
import { clipToNorm, l2Normalize } from '../privacy/vector/prepare';
import { headScores, type LinearHead } from './linear-head';
import { standardiseVector, toStandardised, type FeatureStats } from './standardise';

export interface LabelledExamples {
  /** Clean feature vectors of the head's dimension (normalised here). */
  readonly vectors: readonly ArrayLike<number>[];
  /** Label indices in [0, k). */
  readonly labels: readonly number[];
}

export interface LocalSteps {
  /** Full-batch gradient steps (≥ 1). */
  readonly steps: number;
  readonly learningRate: number;
}

export interface LocalUpdate {
  /** The clipped change of the head's parameters: its L2 norm is at most `clip`. */
  readonly update: Float64Array;
  /** Its norm before clipping, for the person's own view (never sent). */
  readonly norm: number;
}

function checkExamples(head: LinearHead, examples: LabelledExamples): Float64Array[] {
  const { vectors, labels } = examples;
  if (vectors.length === 0) throw new RangeError('a local update needs at least one example');
  if (vectors.length !== labels.length) throw new RangeError(`${vectors.length} vectors but ${labels.length} labels`);
  return vectors.map((v, i) => {
    if (v.length !== head.dims)
      throw new RangeError(`example ${i} has ${v.length} values, the head reads ${head.dims}`);
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= head.k) {
      throw new RangeError(`label ${label} of example ${i} is outside [0, ${head.k})`);
    }
    return l2Normalize(v);
  });
}

/** Adds the gradient of the mean cross-entropy at `head` to `grad` (which it zeroes first). */
function meanGradient(head: LinearHead, xs: readonly Float64Array[], labels: readonly number[], grad: Float64Array) {
  const { k, dims } = head;
  const p = new Float64Array(k);
  grad.fill(0);
  const n = xs.length;
  xs.forEach((x, s) => {
    headScores(head, x, p);
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, p[c]!);
    let total = 0;
    for (let c = 0; c < k; c++) total += p[c] = Math.exp(p[c]! - max);
    for (let c = 0; c < k; c++) {
      const g = (p[c]! / total - (c === labels[s] ? 1 : 0)) / n;
      const row = c * dims;
      for (let j = 0; j < dims; j++) grad[row + j]! += g * x[j]!;
      grad[k * dims + c]! += g;
    }
  });
}

/** Runs the steps from the plain `head` (left unchanged) and returns the clipped parameter change. */
export function localUpdate(
  head: LinearHead,
  examples: LabelledExamples,
  steps: LocalSteps,
  clip: number,
  stats?: FeatureStats,
): LocalUpdate {
  if (!Number.isInteger(steps.steps) || steps.steps < 1) throw new RangeError(`steps must be ≥ 1, not ${steps.steps}`);
  if (!(steps.learningRate > 0)) throw new RangeError(`the learning rate must be positive, not ${steps.learningRate}`);
  if (!(clip > 0)) throw new RangeError(`the clipping norm must be positive, not ${clip}`);
  const units = checkExamples(head, examples);
  const start = stats ? toStandardised(head, stats) : head;
  const xs = stats ? units.map((u) => standardiseVector(u, stats)) : units;
  const local: LinearHead = { ...start, params: Float64Array.from(start.params) };
  const grad = new Float64Array(head.params.length);
  for (let t = 0; t < steps.steps; t++) {
    meanGradient(local, xs, examples.labels, grad);
    for (let i = 0; i < grad.length; i++) local.params[i]! -= steps.learningRate * grad[i]!;
  }
  const change = local.params.map((x, i) => x - start.params[i]!);
  let norm = 0;
  for (const x of change) norm += x * x;
  norm = Math.sqrt(norm);
  return { update: clipToNorm(change, clip), norm };
}
