import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { describeError, ObscuraError } from '../../errors';
import type { ModelRef } from '../../engine/model/model-config';
import { cryptoRandomSource } from '../../privacy/random/random-source';
import { privatizeFeatures } from '../../report/privatize-features';
import { modelRefSchema } from '../../report/schema';
import type { CliIo } from '../cli-io';
import { writeJsonLine } from '../cli-io';
import { parsePrivacyFlags, PRIVACY_FLAGS } from '../privacy-options';
import { CATEGORY_FLAGS, isCategoryRelease, parseCategoryFlags } from '../category-options';
import { readCodebookFile } from '../read-codebook';
import { privatizeLabel, validateCategoryOptions } from '../../codebook/category-report';

const OPTIONS = {
  ...PRIVACY_FLAGS,
  ...CATEGORY_FLAGS,
  model: { type: 'string' },
  layer: { type: 'string' },
} as const;

/** What a vector is said to come from when neither the line nor the flags name its model. */
export const EXTERNAL_MODEL = { id: 'external', layer: 'input' } as const;

/**
 * `obscura privatize --mechanism M --epsilon E [--delta D] [--dims K] [--model ID --layer NAME] [--scope S]`,
 * or `--mechanism krr|oue --codebook FILE --epsilon E` to release the label the codebook
 * assigns: one JSON line in, one report out. A line is `{"vector":[...]}`, or what
 * `extract --clean` prints (`{"file","model","clean":[...]}`), whose model then goes into
 * the report so it pools with the app's. A bad line gives `{"line", "error"}` and a
 * non-zero exit status; the other lines are still processed.
 */
export async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true });
  const category = isCategoryRelease(values) ? parseCategoryFlags(values) : undefined;
  const options = category ? undefined : parsePrivacyFlags(values);
  const codebook = category ? await readCodebookFile(category.codebook) : undefined;
  if (category && codebook) validateCategoryOptions(category, codebook);
  let line = 0;
  let failed = 0;
  for await (const text of createInterface({ input: io.stdin, crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    try {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new ObscuraError('InvalidVectorError', 'the line is not JSON');
      }
      const record = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
      const vector = record['vector'] ?? record['clean'];
      if (!Array.isArray(vector) || !vector.every((x) => typeof x === 'number')) {
        throw new ObscuraError('InvalidVectorError', 'expected {"vector": [numbers]}');
      }
      // With a codebook, a vector that nothing names the model of is taken to be of the codebook's model.
      const model = modelOf(record['model'], values, vector.length, codebook?.model ?? EXTERNAL_MODEL);
      const report =
        category && codebook
          ? privatizeLabel(vector, model, codebook, category, cryptoRandomSource).report
          : privatizeFeatures(vector, model, options!, cryptoRandomSource);
      writeJsonLine(io.stdout, report);
    } catch (err) {
      failed++;
      writeJsonLine(io.stdout, { line, error: describeError(err) });
    }
  }
  return failed > 0 ? 1 : 0;
}

/** The line's model, checked against the flags and the vector; else the flags'; else the fallback. */
function modelOf(
  fromLine: unknown,
  flags: { model?: string | undefined; layer?: string | undefined },
  dims: number,
  fallback: { readonly id: string; readonly layer: string },
): ModelRef {
  if (fromLine === undefined) return { id: flags.model ?? fallback.id, layer: flags.layer ?? fallback.layer, dims };
  const result = modelRefSchema.safeParse(fromLine);
  if (!result.success)
    throw new ObscuraError('InvalidVectorError', 'expected "model" to be {"id", "layer", "dims"} as extract prints it');
  const model = result.data;
  if (model.dims !== dims)
    throw new ObscuraError('InvalidVectorError', `the model gives ${model.dims} values, the vector has ${dims}`);
  if (
    (flags.model !== undefined && flags.model !== model.id) ||
    (flags.layer !== undefined && flags.layer !== model.layer)
  )
    throw new ObscuraError(
      'InvalidVectorError',
      `the line's model is ${model.id}/${model.layer}, ` +
        `the flags say ${flags.model ?? model.id}/${flags.layer ?? model.layer}`,
    );
  return model;
}
