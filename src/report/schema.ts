/**
 * The report: the only thing that ever leaves the device. One schema, used where a
 * report is built (privacy core / release path), where it is sent (reporter) and
 * where it is received (collector).
 */
import { z } from 'zod';
import { ObscuraError } from '../errors';
import { modelRefSchema } from '../model-ref';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const epsilon = finite.refine((e) => e > 0, 'epsilon must be > 0');
const delta = z.number().min(0).lt(1);
const id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only');

export { modelRefSchema };

export const projectionRefSchema = z.strictObject({
  id,
  dims: z.number().int().positive().max(65536),
});

/** Mechanism parameters travel with the report so the collector can debias and audit. */
export const mechanismSchema = z.looseObject({
  name: z.enum(['privunit', 'gaussian', 'laplace', 'krr', 'oue']),
  epsilon,
  delta,
});

export const categorySchema = z.union([
  z.strictObject({ codebook: id, k: z.number().int().min(2), value: z.number().int().min(0) }),
  z.strictObject({
    codebook: id,
    k: z.number().int().min(2),
    bits: z.array(z.union([z.literal(0), z.literal(1)])).min(2),
  }),
]);

const base = {
  v: z.literal(1),
  id,
  createdAt: z.iso.datetime(),
  scope: id,
  model: modelRefSchema,
  projection: projectionRefSchema.nullable(),
  mechanism: mechanismSchema,
};

export const vectorReportSchema = z.strictObject({ ...base, vector: z.array(finite).min(1).max(65536) });
export const categoryReportSchema = z.strictObject({ ...base, category: categorySchema });

export const reportSchema = z.union([vectorReportSchema, categoryReportSchema]).superRefine((r, ctx) => {
  const categorical = r.mechanism.name === 'krr' || r.mechanism.name === 'oue';
  if (categorical !== 'category' in r) {
    ctx.addIssue({
      code: 'custom',
      message: `mechanism ${r.mechanism.name} ${categorical ? 'releases a category' : 'releases a vector'}`,
    });
  }
  if ('vector' in r) {
    const dims = r.projection?.dims ?? r.model.dims;
    if (r.vector.length !== dims) {
      ctx.addIssue({ code: 'custom', path: ['vector'], message: `expected ${dims} values, got ${r.vector.length}` });
    }
  } else if ('bits' in r.category && r.category.bits.length !== r.category.k) {
    ctx.addIssue({
      code: 'custom',
      path: ['category', 'bits'],
      message: `expected ${r.category.k} bits, got ${r.category.bits.length}`,
    });
  } else if ('value' in r.category && r.category.value >= r.category.k) {
    ctx.addIssue({
      code: 'custom',
      path: ['category', 'value'],
      message: `expected a value below ${r.category.k}, got ${r.category.value}`,
    });
  }
});

export type Report = z.infer<typeof reportSchema>;
export type VectorReport = z.infer<typeof vectorReportSchema>;
export type CategoryReport = z.infer<typeof categoryReportSchema>;

/** Returns the report if it is valid; throws InvalidReportError naming the first problem otherwise. */
export function parseReport(value: unknown): Report {
  const result = reportSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'report';
    throw new ObscuraError('InvalidReportError', `invalid report: ${where}: ${issue?.message ?? 'unknown problem'}`, {
      issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  return result.data;
}

/** True for a valid report; never throws. */
export function isReport(value: unknown): value is Report {
  return reportSchema.safeParse(value).success;
}
