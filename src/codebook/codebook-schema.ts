/**
 * A codebook: the public, versioned JSON file that maps a feature vector to one of k
 * labels on the device, so a category (its index in `labels`) can be released with
 * k-RR or OUE instead of the vector. Everything in it is public; nothing in it comes
 * from a person's images.
 *
 * ```json
 * { "v": 1, "id": "fashion-10", "hash": "sha256:…",
 *   "model": { "id": "mobilenet_v2", "layer": "block_12_add", "dims": 96 },
 *   "labels": ["T-shirt/top", …],
 *   "input": "l2-normalized",
 *   "classifier": { "kind": "linear", "weights": [[…96 numbers], …], "bias": […] } }
 * ```
 *
 * `v` is the file format's version. `id` names the codebook and travels in every
 * category report (`category.codebook`); `hash` is `sha256:` and the SHA-256 of the
 * canonical JSON (RFC 8785) of every other field, so a reader can check which exact
 * file a report's labels refer to. The classifier reads the model's clean feature
 * vector after L2 normalisation (`input: "l2-normalized"`, the privacy core's
 * `l2Normalize`: the zero vector maps to e₀):
 * - `nearest-centroid`: the label whose centroid has the largest cosine with it;
 * - `linear`: the label with the largest `weights[j]·x + bias[j]`.
 * Ties go to the lowest index.
 */
import { z } from 'zod';
import { modelRefSchema } from '../report/schema';

export const CODEBOOK_FORMAT_VERSION = 1;
export const MAX_LABELS = 4096;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const row = z.array(finite).min(1).max(65536);

const nearestCentroidSchema = z.strictObject({
  kind: z.literal('nearest-centroid'),
  centroids: z.array(row).min(2).max(MAX_LABELS),
});

const linearSchema = z.strictObject({
  kind: z.literal('linear'),
  weights: z.array(row).min(2).max(MAX_LABELS),
  bias: z.array(finite).min(2).max(MAX_LABELS),
});

export const classifierSchema = z.discriminatedUnion('kind', [nearestCentroidSchema, linearSchema]);

/** Every field but the hash: what the hash covers. */
export const codebookContentSchema = z
  .strictObject({
    v: z.literal(CODEBOOK_FORMAT_VERSION),
    id: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only'),
    model: modelRefSchema,
    labels: z.array(z.string().min(1).max(200)).min(2).max(MAX_LABELS),
    input: z.literal('l2-normalized'),
    classifier: classifierSchema,
    /** Free text: what it was built from, how well it does. */
    description: z.string().max(2000).optional(),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.labels.forEach((label, i) => {
      if (seen.has(label)) ctx.addIssue({ code: 'custom', path: ['labels', i], message: `"${label}" appears twice` });
      seen.add(label);
    });
    const k = c.labels.length;
    const rows = c.classifier.kind === 'linear' ? c.classifier.weights : c.classifier.centroids;
    const field = c.classifier.kind === 'linear' ? 'weights' : 'centroids';
    if (rows.length !== k)
      ctx.addIssue({
        code: 'custom',
        path: ['classifier', field],
        message: `expected ${k} rows (one a label), got ${rows.length}`,
      });
    rows.forEach((r, i) => {
      if (r.length !== c.model.dims)
        ctx.addIssue({
          code: 'custom',
          path: ['classifier', field, i],
          message: `expected ${c.model.dims} values (model.dims), got ${r.length}`,
        });
    });
    if (c.classifier.kind === 'linear' && c.classifier.bias.length !== k)
      ctx.addIssue({
        code: 'custom',
        path: ['classifier', 'bias'],
        message: `expected ${k} values (one a label), got ${c.classifier.bias.length}`,
      });
  });

export const hashSchema = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'sha256: and 64 lowercase hex digits');

export type CodebookContent = z.infer<typeof codebookContentSchema>;
export type Codebook = CodebookContent & { readonly hash: string };
export type Classifier = z.infer<typeof classifierSchema>;
