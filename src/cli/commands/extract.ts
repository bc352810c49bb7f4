import { parseArgs } from 'node:util';
import { ObscuraError } from '../../errors';
import { NodeExtractor } from '../../engine/node/node-extractor';
import type { CliIo } from '../cli-io';
import { writeJsonLine } from '../cli-io';
import { collectImageFiles } from '../collect-files';
import { extractFiles } from '../extract-files';
import { Progress } from '../progress';
import { hasPrivacyFlags, parsePrivacyFlags, PRIVACY_FLAGS } from '../privacy-options';
import { CATEGORY_FLAGS, isCategoryRelease, parseCategoryFlags } from '../category-options';
import { readCodebookFile } from '../read-codebook';
import { privatizeFeatures } from '../../report/privatize-features';
import { cryptoRandomSource } from '../../privacy/random/random-source';
import { privatizeLabel, validateCategoryOptions } from '../../codebook/category-report';
import { requireSameModel } from '../../codebook/assign-label';
import { integerFlag } from '../../number-flag';

const OPTIONS = {
  clean: { type: 'boolean', default: false },
  model: { type: 'string' },
  layer: { type: 'string' },
  backend: { type: 'string', default: 'wasm' },
  batch: { type: 'string', default: '1' },
  ...PRIVACY_FLAGS,
  ...CATEGORY_FLAGS,
} as const;

/**
 * `obscura extract [--clean] [--model ID] [--layer NAME] [--mechanism M --epsilon E ...] PATH...`:
 * one JSON line per image. With privacy flags the line carries the `report`, and the
 * clean vector only with --clean; without them it carries the clean vector. With
 * `--mechanism krr|oue --codebook FILE` the codebook assigns a label on the device and
 * the report releases it; `--clean` adds the clean vector and the assigned `label`.
 */
export async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  if (positionals.length === 0)
    throw new ObscuraError('InvalidParameterError', 'extract needs at least one file or folder');
  const backend = values.backend;
  if (backend !== 'wasm' && backend !== 'cpu')
    throw new ObscuraError('InvalidParameterError', `--backend must be wasm or cpu, got "${backend}"`);
  const batchSize = integerFlag('batch', values.batch, 1, 64);

  const category = isCategoryRelease(values) ? parseCategoryFlags(values) : undefined;
  const privacy = !category && hasPrivacyFlags(values) ? parsePrivacyFlags(values) : undefined;
  const codebook = category ? await readCodebookFile(category.codebook) : undefined;
  if (category && codebook) validateCategoryOptions(category, codebook);
  const files = await collectImageFiles(positionals);
  // A codebook names the model and layer it reads: they are the defaults then.
  const modelId = values.model ?? codebook?.model.id;
  const layer = values.layer ?? codebook?.model.layer;
  const extractor = await NodeExtractor.create({
    backend,
    ...(modelId ? { modelId } : {}),
    ...(layer ? { layer } : {}),
  });
  const progress = new Progress(io.stderr, files.length);
  let failed = 0;
  let done = 0;
  try {
    if (codebook) requireSameModel(codebook, extractor.model);
    for await (const chunk of extractFiles(extractor, files, batchSize)) {
      for (const item of chunk) {
        if ('error' in item) {
          failed++;
          writeJsonLine(io.stdout, item);
          continue;
        }
        const line: Record<string, unknown> = { file: item.file, model: extractor.model };
        if (!(privacy || category) || values.clean) line['clean'] = Array.from(item.clean);
        if (category && codebook) {
          const { assigned, report } = privatizeLabel(
            item.clean,
            extractor.model,
            codebook,
            category,
            cryptoRandomSource,
          );
          if (values.clean) line['label'] = assigned;
          line['report'] = report;
        } else if (privacy) {
          line['report'] = privatizeFeatures(item.clean, extractor.model, privacy, cryptoRandomSource);
        }
        writeJsonLine(io.stdout, line);
      }
      done += chunk.length;
      progress.update(done, chunk[chunk.length - 1]?.file ?? '');
    }
  } finally {
    extractor.dispose();
  }
  progress.finish(failed);
  return failed > 0 ? 1 : 0;
}
