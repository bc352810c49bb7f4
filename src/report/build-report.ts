/** Turns a privatized release into the report that may leave the device, validated by the schema. */
import type { ModelRef } from '../model-ref';
import type { CategoryRelease, VectorRelease } from '../privacy/mechanism';
import { RandomDraws } from '../privacy/random/draws';
import type { RandomSource } from '../privacy/random/random-source';
import { parseReport, type CategoryReport, type VectorReport } from './schema';

export interface ReportContext {
  readonly scope: string;
  readonly model: ModelRef;
  readonly projection: { readonly id: string; readonly dims: number } | null;
  /** Report ids are 128 random bits from this source: unguessable, so they double as idempotency keys. */
  readonly source: RandomSource;
  /** An id chosen by the caller instead (it must match the schema's id pattern). */
  readonly id?: string;
  readonly now?: Date;
}

/** 128 random bits as 32 hex digits. */
export function newReportId(source: RandomSource): string {
  const draws = new RandomDraws(source);
  let id = '';
  for (let i = 0; i < 4; i++) id += draws.word().toString(16).padStart(8, '0');
  return id;
}

/** The report's time, coarsened to the hour before it leaves (the schema refuses anything finer). */
export function hourOf(date: Date): string {
  const t = new Date(date.getTime());
  t.setUTCMinutes(0, 0, 0);
  return t.toISOString();
}

/** The fields every report has, around the mechanism's output. */
function envelope(context: ReportContext, mechanism: VectorRelease['mechanism'] | CategoryRelease['mechanism']) {
  return {
    v: 1,
    id: context.id ?? newReportId(context.source),
    createdAt: hourOf(context.now ?? new Date()),
    scope: context.scope,
    model: { ...context.model },
    projection: context.projection ? { ...context.projection } : null,
    mechanism: { ...mechanism },
  };
}

/** A vector release (unbiased estimate, mechanism parameters) as a validated report, or an InvalidReportError. */
export function buildVectorReport(release: VectorRelease, context: ReportContext): VectorReport {
  return parseReport({ ...envelope(context, release.mechanism), vector: Array.from(release.vector) }) as VectorReport;
}

/** A category release of a public codebook as a validated report; throws InvalidReportError otherwise. */
export function buildCategoryReport(
  release: CategoryRelease,
  codebook: string,
  context: ReportContext,
): CategoryReport {
  return parseReport({
    ...envelope(context, release.mechanism),
    category: { codebook, ...release.category },
  }) as CategoryReport;
}
