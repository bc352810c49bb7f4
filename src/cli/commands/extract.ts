import { parseArgs } from 'node:util';
import { describeError, ObscuraError } from '../../errors';
import { decodeImageFile, type RgbImage } from '../../engine/node/decode-file';
import { NodeExtractor } from '../../engine/node/node-extractor';
import type { CliIo } from '../cli-io';
import { writeJsonLine } from '../cli-io';
import { collectImageFiles } from '../collect-files';
import { Progress } from '../progress';
import { hasPrivacyFlags, parsePrivacyFlags, PRIVACY_FLAGS } from '../privacy-options';
import { privatizeFeatures } from '../../report/privatize-features';
import { cryptoRandomSource } from '../../privacy/random/random-source';

const OPTIONS = {
  clean: { type: 'boolean', default: false },
  model: { type: 'string' },
  layer: { type: 'string' },
  backend: { type: 'string', default: 'wasm' },
  batch: { type: 'string', default: '1' },
  ...PRIVACY_FLAGS,
} as const;

/**
 * `obscura extract [--clean] [--model ID] [--layer NAME] [--mechanism M --epsilon E ...] PATH...`:
 * one JSON line per image. With privacy flags the line carries the `report`, and the
 * clean vector only with --clean; without them it carries the clean vector.
 */
export async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  if (positionals.length === 0)
    throw new ObscuraError('InvalidParameterError', 'extract needs at least one file or folder');
  const backend = values.backend;
  if (backend !== 'wasm' && backend !== 'cpu')
    throw new ObscuraError('InvalidParameterError', `--backend must be wasm or cpu, got "${backend}"`);
  const batchSize = Number(values.batch);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 64)
    throw new ObscuraError('InvalidParameterError', `--batch must be an integer from 1 to 64, got "${values.batch}"`);

  const privacy = hasPrivacyFlags(values) ? parsePrivacyFlags(values) : undefined;
  const files = await collectImageFiles(positionals);
  const extractor = await NodeExtractor.create({
    backend,
    ...(values.model ? { modelId: values.model } : {}),
    ...(values.layer ? { layer: values.layer } : {}),
  });
  const progress = new Progress(io.stderr, files.length);
  let failed = 0;
  let done = 0;
  try {
    for (let i = 0; i < files.length; i += batchSize) {
      const chunk = files.slice(i, i + batchSize);
      // Decoding runs on libuv's thread pool, so a chunk decodes in parallel.
      const decoded = await Promise.allSettled(chunk.map((f) => decodeImageFile(f, extractor.config)));
      const good: { file: string; image: RgbImage }[] = [];
      decoded.forEach((r, j) => {
        if (r.status === 'fulfilled') good.push({ file: chunk[j]!, image: r.value });
        else {
          failed++;
          writeJsonLine(io.stdout, { file: chunk[j], error: describeError(r.reason) });
        }
      });
      const vectors = await extractor.extract(good.map((g) => g.image));
      good.forEach((g, j) => {
        const clean = vectors[j]!;
        const line: Record<string, unknown> = { file: g.file, model: extractor.model };
        if (!privacy || values.clean) line['clean'] = Array.from(clean);
        if (privacy) line['report'] = privatizeFeatures(clean, extractor.model, privacy, cryptoRandomSource);
        writeJsonLine(io.stdout, line);
      });
      done += chunk.length;
      progress.update(done, chunk[chunk.length - 1] ?? '');
    }
  } finally {
    extractor.dispose();
  }
  progress.finish(failed);
  return failed > 0 ? 1 : 0;
}
