/** Clean feature vector in, category report out: the codebook assigns the label, k-RR or OUE releases it. */
import type { ModelRef } from '../model-ref';
import { privatizeCategory, validateParams, type CategoryMechanismName } from '../privacy/mechanism';
import type { RandomSource } from '../privacy/random/random-source';
import { buildCategoryReport } from '../report/build-report';
import type { CategoryReport } from '../report/schema';
import { assignLabel, requireSameModel, type AssignedLabel } from './assign-label';
import type { Codebook } from './codebook-schema';

export interface CategoryPrivacyOptions {
  readonly mechanism: CategoryMechanismName;
  readonly epsilon: number;
  readonly scope?: string;
}

/** Throws InvalidParameterError unless the mechanism and ε suit a codebook of this many labels. */
export function validateCategoryOptions(options: CategoryPrivacyOptions, codebook: Codebook): void {
  validateParams({ name: options.mechanism, epsilon: options.epsilon, k: codebook.labels.length });
}

/**
 * The label (kept on the device) and the report (the only part that may leave it),
 * whose `category.codebook` is the codebook's id and `model` the features' model.
 */
export function privatizeLabel(
  clean: ArrayLike<number>,
  model: ModelRef,
  codebook: Codebook,
  options: CategoryPrivacyOptions,
  source: RandomSource,
  now?: Date,
): { assigned: AssignedLabel; report: CategoryReport } {
  requireSameModel(codebook, model);
  const assigned = assignLabel(codebook, clean);
  const params = { name: options.mechanism, epsilon: options.epsilon, k: codebook.labels.length };
  const release = privatizeCategory(assigned.value, params, source);
  const report = buildCategoryReport(release, codebook.id, {
    scope: options.scope ?? 'default',
    model,
    projection: null,
    source,
    ...(now ? { now } : {}),
  });
  return { assigned, report };
}
