/** Assigning a label on the device: the codebook's classifier over the L2-normalised clean feature vector. */
import { ObscuraError } from '../errors';
import type { ModelRef } from '../model-ref';
import { checkVector, l2Norm, l2Normalize } from '../privacy/vector/prepare';
import type { Codebook } from './codebook-schema';

export interface AssignedLabel {
  /** Index into `codebook.labels`: the value a category report releases. */
  readonly value: number;
  readonly label: string;
}

/** Throws CodebookMismatchError unless the codebook was made for this model, layer and size. */
export function requireSameModel(codebook: Codebook, model: ModelRef): void {
  const m = codebook.model;
  if (m.id !== model.id || m.layer !== model.layer || m.dims !== model.dims)
    throw new ObscuraError(
      'CodebookMismatchError',
      `codebook "${codebook.id}" reads ${m.id}/${m.layer} (${m.dims} values), ` +
        `the features are ${model.id}/${model.layer} (${model.dims} values)`,
      { codebook: { ...m }, features: { ...model } },
    );
}

/** Scores of every label for one vector (cosine to each centroid, or the linear scores). */
export function labelScores(codebook: Codebook, features: ArrayLike<number>): Float64Array {
  checkVector(features, codebook.model.dims);
  const x = l2Normalize(features);
  const c = codebook.classifier;
  const rows = c.kind === 'linear' ? c.weights : c.centroids;
  return Float64Array.from(rows, (row, j) => {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += row[i]! * x[i]!;
    if (c.kind === 'linear') return s + c.bias[j]!;
    const n = l2Norm(row);
    return n === 0 ? -Infinity : s / n;
  });
}

/** The label a feature vector gets (ties: the lowest index). */
export function assignLabel(codebook: Codebook, features: ArrayLike<number>): AssignedLabel {
  const scores = labelScores(codebook, features);
  let value = 0;
  for (let j = 1; j < scores.length; j++) if (scores[j]! > scores[value]!) value = j;
  return { value, label: codebook.labels[value]! };
}
