/** Reading and writing codebooks: schema-checked, hash-checked, typed errors. */
import { ObscuraError } from '../errors';
import { codebookContentSchema, hashSchema, type Codebook, type CodebookContent } from './codebook-schema';
import { contentHash } from './content-hash';

function invalid(message: string, details?: Record<string, unknown>): ObscuraError {
  return new ObscuraError('InvalidCodebookError', message, details);
}

/** Validates parsed JSON as a codebook and checks its hash; throws InvalidCodebookError naming the first problem. */
export async function parseCodebook(value: unknown): Promise<Codebook> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid('invalid codebook: expected a JSON object');
  const { hash, ...content } = value as Record<string, unknown>;
  const hashResult = hashSchema.safeParse(hash);
  if (!hashResult.success)
    throw invalid(`invalid codebook: hash: ${hash === undefined ? 'missing' : hashResult.error.issues[0]?.message}`);
  const result = codebookContentSchema.safeParse(content);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'codebook';
    throw invalid(`invalid codebook: ${where}: ${issue?.message ?? 'unknown problem'}`, {
      issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  const actual = await contentHash(result.data);
  if (actual !== hashResult.data)
    throw invalid(
      `codebook "${result.data.id}" does not match its hash: ` +
        `it states ${hashResult.data}, its content hashes to ${actual}`,
    );
  return { ...result.data, hash: actual };
}

/** Parses codebook JSON text; bad JSON is an InvalidCodebookError too. */
export async function parseCodebookJson(text: string): Promise<Codebook> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw invalid(`invalid codebook: not JSON (${(err as Error).message})`);
  }
  return parseCodebook(value);
}

/** Validates codebook content and adds its hash: the only way a codebook is made. */
export async function sealCodebook(content: CodebookContent): Promise<Codebook> {
  const result = codebookContentSchema.safeParse(content);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw invalid(`invalid codebook: ${issue?.path.join('.') || 'codebook'}: ${issue?.message ?? 'unknown problem'}`);
  }
  return { ...result.data, hash: await contentHash(result.data) };
}

/** The file's text: the fields in a fixed order, hash second, one classifier row a line. */
export function formatCodebook(codebook: Codebook): string {
  const { v, id, hash, model, labels, input, description, classifier } = codebook;
  const head = JSON.stringify({ v, id, hash, model, labels, input, ...(description ? { description } : {}) }, null, 2);
  const rows = (name: string, values: readonly (readonly number[])[]) =>
    `    ${JSON.stringify(name)}: [\n${values.map((r) => `      ${JSON.stringify(r)}`).join(',\n')}\n    ]`;
  const body =
    classifier.kind === 'linear'
      ? [rows('weights', classifier.weights), `    "bias": ${JSON.stringify(classifier.bias)}`]
      : [rows('centroids', classifier.centroids)];
  const kind = `    "kind": ${JSON.stringify(classifier.kind)}`;
  // `head` ends with "\n}": reopen it to append the classifier.
  return `${head.slice(0, -2)},\n  "classifier": {\n${[kind, ...body].join(',\n')}\n  }\n}\n`;
}
