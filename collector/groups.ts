/**
 * Reports are averaged (or counted) together only when they estimate the same thing
 * with the same calibration: one group per scope, model, projection, mechanism
 * parameters and size (vector length, or codebook and k).
 */
import { createHash } from 'node:crypto';
import type { MechanismRecord } from '../src/report/schema';
import type { VerifiedReport } from './verify-report';

/** What reports of one group share. */
export interface GroupKey {
  readonly scope: string;
  /** `id/layer/dims` of the feature extractor. */
  readonly model: string;
  readonly projection: string | null;
  readonly mechanism: string;
  readonly epsilon: number;
  readonly delta: number;
  /** The clip norm of Gaussian / Laplace reports; null otherwise. */
  readonly clip: number | null;
}

export interface CategoryGroupKey extends GroupKey {
  readonly codebook: string;
  readonly k: number;
}

export interface Group {
  /** SHA-256 (hex) of the key: the row key of the group's totals. */
  readonly id: string;
  readonly scope: string;
  readonly kind: 'vector' | 'category';
  readonly key: GroupKey | CategoryGroupKey;
  /** Vector length, or k. */
  readonly size: number;
  /**
   * The mechanism parameters every report of the group carries (PrivUnit's scale, the Gaussian's σ and step,
   * Laplace's step and bound): a function of the key and the size, since every report passed verifyCalibration.
   */
  readonly mechanism: MechanismRecord;
}

/** A group as the store's report_groups row holds it. */
export function groupOfRow(r: {
  readonly group_id: string;
  readonly scope: string;
  readonly kind: Group['kind'];
  readonly size: number;
  readonly key: Group['key'];
  readonly mechanism: MechanismRecord;
}): Group {
  return { id: r.group_id, scope: r.scope, kind: r.kind, size: r.size, key: r.key, mechanism: r.mechanism };
}

export function groupOf(v: VerifiedReport): Group {
  const r = v.report;
  const base: GroupKey = {
    scope: r.scope,
    model: `${r.model.id}/${r.model.layer}/${r.model.dims}`,
    projection: r.projection?.id ?? null,
    mechanism: v.mechanism.name,
    epsilon: v.mechanism.epsilon,
    delta: v.mechanism.delta,
    clip: 'clip' in v.mechanism ? v.mechanism.clip : null,
  };
  const key = 'category' in r ? { ...base, codebook: r.category.codebook, k: r.category.k } : base;
  const id = createHash('sha256')
    .update(JSON.stringify([v.kind, v.size, key]))
    .digest('hex');
  return { id, scope: r.scope, kind: v.kind, key, size: v.size, mechanism: v.mechanism };
}
