/** Labelled clean feature vectors in, a sealed codebook out. */
import type { ModelRef } from '../model-ref';
import type { Codebook } from './codebook-schema';
import { sealCodebook } from './load-codebook';
import { fitClassifier, type ClassifierKind } from './train';

export interface CodebookSpec {
  readonly id: string;
  readonly model: ModelRef;
  readonly labels: readonly string[];
  readonly classifier: ClassifierKind;
  readonly description?: string;
}

export async function buildCodebook(
  spec: CodebookSpec,
  vectors: readonly ArrayLike<number>[],
  labelIndexes: readonly number[],
): Promise<Codebook> {
  const classifier = fitClassifier(spec.classifier, { vectors, labels: labelIndexes, k: spec.labels.length });
  return sealCodebook({
    v: 1,
    id: spec.id,
    model: { id: spec.model.id, layer: spec.model.layer, dims: spec.model.dims },
    labels: [...spec.labels],
    input: 'l2-normalized',
    classifier,
    ...(spec.description ? { description: spec.description } : {}),
  });
}
