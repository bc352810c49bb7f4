import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ObscuraError } from '../../errors';
import { NodeExtractor } from '../../engine/node/node-extractor';
import { buildCodebook } from '../../codebook/build-codebook';
import { formatCodebook } from '../../codebook/load-codebook';
import { CLASSIFIER_KINDS, type ClassifierKind } from '../../codebook/train';
import type { CliIo } from '../cli-io';
import { collectImageFiles } from '../collect-files';
import { extractFiles } from '../extract-files';
import { Progress } from '../progress';
import { integerFlag } from '../../number-flag';

const BUILD_OPTIONS = {
  labels: { type: 'string', multiple: true },
  id: { type: 'string' },
  classifier: { type: 'string', default: 'linear' },
  description: { type: 'string' },
  model: { type: 'string' },
  layer: { type: 'string' },
  batch: { type: 'string', default: '8' },
} as const;

const ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * `obscura codebook build --labels DIR... [--id ID] [--classifier linear|nearest-centroid]
 * [--model ID] [--layer NAME]`: one folder of images a label (the folder's name is the
 * label), features from the same extractor as `extract`, the codebook's JSON on stdout.
 */
export async function run(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'build')
    throw new ObscuraError('InvalidParameterError', `codebook: expected the subcommand "build", got "${sub ?? ''}"`);
  const { values, positionals } = parseArgs({ args: rest, options: BUILD_OPTIONS, allowPositionals: true });
  // `--labels a b c` and `--labels a --labels b` both work: folders after the flag arrive as positionals.
  const dirs = [...(values.labels ?? []), ...positionals];
  if (dirs.length < 2)
    throw new ObscuraError(
      'InvalidParameterError',
      `--labels needs at least two folders (one a label), got ${dirs.length}`,
    );
  const kind = values.classifier as ClassifierKind;
  if (!CLASSIFIER_KINDS.includes(kind))
    throw new ObscuraError(
      'InvalidParameterError',
      `--classifier must be one of ${CLASSIFIER_KINDS.join(', ')}, got "${values.classifier}"`,
    );
  const batchSize = integerFlag('batch', values.batch, 1, 64);

  const labels: string[] = [];
  const files: { file: string; label: number }[] = [];
  for (const dir of dirs) {
    const info = await stat(dir).catch(() => undefined);
    if (!info?.isDirectory()) throw new ObscuraError('InvalidParameterError', `--labels: ${dir} is not a folder`);
    const label = basename(resolve(dir));
    if (labels.includes(label))
      throw new ObscuraError('InvalidParameterError', `--labels: two folders are named "${label}"; labels must differ`);
    const images = await collectImageFiles([dir]);
    if (images.length === 0) throw new ObscuraError('InvalidParameterError', `--labels: ${dir} holds no images`);
    for (const file of images) files.push({ file, label: labels.length });
    labels.push(label);
  }
  const id = values.id ?? defaultId(dirs);
  if (!ID.test(id))
    throw new ObscuraError('InvalidParameterError', `--id must be 1-128 letters, digits or . _ : -, got "${id}"`);

  const extractor = await NodeExtractor.create({
    backend: 'wasm',
    ...(values.model ? { modelId: values.model } : {}),
    ...(values.layer ? { layer: values.layer } : {}),
  });
  const progress = new Progress(io.stderr, files.length);
  const vectors: Float32Array[] = [];
  const labelIndexes: number[] = [];
  let failed = 0;
  let done = 0;
  try {
    for await (const chunk of extractFiles(
      extractor,
      files.map((f) => f.file),
      batchSize,
    )) {
      chunk.forEach((item, j) => {
        if ('error' in item) {
          failed++;
          io.stderr.write(`skipped ${item.file}: ${item.error.name}: ${item.error.message}\n`);
        } else {
          vectors.push(item.clean);
          labelIndexes.push(files[done + j]!.label);
        }
      });
      done += chunk.length;
      progress.update(done, chunk[chunk.length - 1]?.file ?? '');
    }
  } finally {
    extractor.dispose();
  }
  progress.finish(failed);
  const empty = labels.findIndex((_, l) => !labelIndexes.includes(l));
  if (empty >= 0)
    throw new ObscuraError('InvalidParameterError', `--labels: no image of "${labels[empty]}" could be read`);
  const codebook = await buildCodebook(
    {
      id,
      model: extractor.model,
      labels,
      classifier: kind,
      description:
        values.description ??
        `${kind} classifier fitted to ${vectors.length} images in ${labels.length} labelled folders`,
    },
    vectors,
    labelIndexes,
  );
  io.stdout.write(formatCodebook(codebook));
  return failed > 0 ? 1 : 0;
}

/** The name of the folder that holds the label folders, when they share one and it makes a valid id. */
function defaultId(dirs: readonly string[]): string {
  const parents = new Set(dirs.map((d) => basename(dirname(resolve(d)))));
  const [parent] = parents;
  const candidate = parents.size === 1 && parent ? parent.replace(/[^A-Za-z0-9._:-]/g, '-') : '';
  return ID.test(candidate) ? candidate : 'codebook';
}
