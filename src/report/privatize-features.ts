/** Clean feature vector in, schema-valid report out: preparation, projection, mechanism and report in one step. */
import type { ModelRef } from '../model-ref';
import { prepareVector, privatizeVector, type VectorMechanismParams } from '../privacy/mechanism';
import type { RandomSource } from '../privacy/random/random-source';
import { randomOrthogonalProjection, type Projection } from '../privacy/vector/projection';
import { buildVectorReport } from './build-report';
import type { VectorReport } from './schema';

export interface FeaturePrivacyOptions {
  readonly mechanism: VectorMechanismParams;
  /** Project to this many dimensions with the public projection first (omit: no projection). */
  readonly dims?: number;
  readonly scope?: string;
}

const projections = new Map<string, Projection>();

/** The public projection for (input dims, k), built once. */
export function projectionFor(inputDims: number, dims: number): Projection {
  const key = `${inputDims}x${dims}`;
  let p = projections.get(key);
  if (!p) {
    p = randomOrthogonalProjection(inputDims, dims);
    projections.set(key, p);
  }
  return p;
}

export function privatizeFeatures(
  clean: ArrayLike<number>,
  model: ModelRef,
  options: FeaturePrivacyOptions,
  source: RandomSource,
  now?: Date,
): VectorReport {
  const projection =
    options.dims !== undefined && options.dims !== clean.length ? projectionFor(clean.length, options.dims) : undefined;
  const prepared = prepareVector(clean, options.mechanism, projection);
  const release = privatizeVector(prepared, options.mechanism, source);
  return buildVectorReport(release, {
    scope: options.scope ?? 'default',
    model,
    projection: projection ? { id: projection.id, dims: projection.dims } : null,
    source,
    ...(now ? { now } : {}),
  });
}
