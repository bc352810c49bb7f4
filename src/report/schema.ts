/**
 * The report: the only thing that ever leaves the device. One schema, used where a
 * report is built (privacy core / release path), where it is sent (reporter) and
 * where it is received (collector).
 */
import { z } from 'zod';
import { ObscuraError } from '../errors';
import { modelRefSchema } from '../model-ref';
import { CATEGORIES_MAX, DELTA_MIN, DELTA_TARGET, DIMS_MAX, EPSILON_MAX, EPSILON_MIN } from '../privacy/limits';
import { outputRange, outputRangeProblem } from '../privacy/output-range';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const positive = finite.refine((x) => x > 0, 'must be > 0');
const epsilon = z.number().min(EPSILON_MIN).max(EPSILON_MAX);
const id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only');
/** A power of two: every grid step is one, so grid membership is exact. */
const powerOfTwo = positive.refine((x) => Number.isInteger(Math.log2(x)), 'must be a power of two');
const dims = z.number().int().positive().max(DIMS_MAX);

/**
 * createdAt is coarsened to the hour before a report leaves (build-report.ts), and anything
 * finer is refused: the minutes, seconds and milliseconds must be zero.
 */
export const hourTimestamp = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:00:00(\.000)?Z$/, 'an ISO time on the hour (minutes, seconds and ms zero)')
  .refine((t) => !Number.isNaN(Date.parse(t)), 'a valid date');

export { modelRefSchema };

export const projectionRefSchema = z.strictObject({ id, dims });

/*
 * One strict schema per mechanism: exactly the public parameters a collector needs to
 * recompute the calibration from (ε, δ, d, C) and to check the output's range, nothing else.
 */

/** PrivUnit: the report is scale·(unit vector), so its norm is `scale` = 1/m(ε, d). */
export const privunitMechanismSchema = z.strictObject({
  name: z.literal('privunit'),
  epsilon,
  delta: z.literal(0),
  scale: positive,
});

/** Gaussian: exact discrete Gaussian noise of scale σ on the grid `step` (every value a multiple of it). */
export const gaussianMechanismSchema = z.strictObject({
  name: z.literal('gaussian'),
  epsilon,
  delta: z.number().min(DELTA_MIN).max(DELTA_TARGET),
  clip: positive,
  sigma: positive,
  step: powerOfTwo,
});

/** Laplace: values are multiples of `step` within ±bound·step. */
export const laplaceMechanismSchema = z.strictObject({
  name: z.literal('laplace'),
  epsilon,
  delta: z.literal(0),
  clip: positive,
  step: powerOfTwo,
  bound: z
    .number()
    .int()
    .positive()
    .max(2 ** 52),
});

export const krrMechanismSchema = z.strictObject({ name: z.literal('krr'), epsilon, delta: z.literal(0) });
export const oueMechanismSchema = z.strictObject({ name: z.literal('oue'), epsilon, delta: z.literal(0) });

/** Mechanism parameters travel with the report so the collector can debias and audit; unknown fields are refused. */
export const mechanismSchema = z.discriminatedUnion('name', [
  privunitMechanismSchema,
  gaussianMechanismSchema,
  laplaceMechanismSchema,
  krrMechanismSchema,
  oueMechanismSchema,
]);

export const categorySchema = z.union([
  z.strictObject({ codebook: id, k: z.number().int().min(2).max(CATEGORIES_MAX), value: z.number().int().min(0) }),
  z.strictObject({
    codebook: id,
    k: z.number().int().min(2).max(CATEGORIES_MAX),
    bits: z
      .array(z.union([z.literal(0), z.literal(1)]))
      .min(2)
      .max(CATEGORIES_MAX),
  }),
]);

const base = {
  v: z.literal(1),
  id,
  createdAt: hourTimestamp,
  scope: id,
  model: modelRefSchema,
  projection: projectionRefSchema.nullable(),
  mechanism: mechanismSchema,
};

export const vectorReportSchema = z.strictObject({ ...base, vector: z.array(finite).min(1).max(DIMS_MAX) });
export const categoryReportSchema = z.strictObject({ ...base, category: categorySchema });

export const reportSchema = z.union([vectorReportSchema, categoryReportSchema]).superRefine((r, ctx) => {
  const categorical = r.mechanism.name === 'krr' || r.mechanism.name === 'oue';
  if (categorical !== 'category' in r) {
    ctx.addIssue({
      code: 'custom',
      message: `mechanism ${r.mechanism.name} ${categorical ? 'releases a category' : 'releases a vector'}`,
    });
    return;
  }
  if ('vector' in r) {
    const dims = r.projection?.dims ?? r.model.dims;
    if (r.vector.length !== dims) {
      ctx.addIssue({ code: 'custom', path: ['vector'], message: `expected ${dims} values, got ${r.vector.length}` });
    }
  } else if ((r.mechanism.name === 'krr') !== 'value' in r.category) {
    ctx.addIssue({ code: 'custom', path: ['category'], message: 'krr releases a value, oue releases bits' });
    return;
  }
  // The output range each mechanism can produce, from the report's own parameters (output-range.ts, the
  // range the device clamps to); calibration-check.ts then finds those parameters equal to the calibration.
  const k = 'category' in r ? r.category.k : 0;
  const output = 'vector' in r ? { vector: r.vector } : r.category;
  const problem = outputRangeProblem(outputRange(r.mechanism, k), output);
  if (problem) ctx.addIssue({ code: 'custom', path: problem.path.split('.'), message: problem.message });
});

export type Report = z.infer<typeof reportSchema>;
export type MechanismRecord = z.infer<typeof mechanismSchema>;
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
