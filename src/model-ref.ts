/**
 * The model reference every vector and report carries: one zod schema, one inferred
 * type. It sits beside errors.ts as a shared leaf, so the engine (which produces it)
 * and the report schema (which checks it) both import it without either importing
 * the other.
 */
import { z } from 'zod';
import { DIMS_MAX } from './privacy/limits';

export const modelRefSchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only'),
  /** A closed pattern: a layer name is public and short, never a place to smuggle data. */
  layer: z.string().regex(/^[A-Za-z0-9_./-]{1,128}$/, '1 to 128 letters, digits or _ . / -'),
  dims: z.number().int().positive().max(DIMS_MAX),
});

/** The model and layer that produced a vector; carried by every report. */
export type ModelRef = Readonly<z.infer<typeof modelRefSchema>>;
