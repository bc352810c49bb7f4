/**
 * Opens a collector's training: version 0 of each training task's head is published at start when
 * the task has none yet (the zero head, or the public codebook the task starts from, under the
 * task's own codebook id), and the training routes are made ready to register.
 */
import { readFile } from 'node:fs/promises';
import { ObscuraError } from '../src/errors';
import { parseCodebookJson, sealCodebook } from '../src/codebook/load-codebook';
import { headFromClassifier, headToClassifier, zeroHead, type LinearClassifier } from '../src/codebook/linear-head';
import type { Codebook } from '../src/codebook/codebook-schema';
import { versionCodebookId, type TrainTask } from '../src/codebook/train-task';
import type { CodebookRegistry } from './codebooks';
import type { ReportStore } from './store';
import type { Route } from '../server-kit/index';
import { trainRoutes } from './train-routes';
import { TrainStore } from './train-store';

/** Version 0 of a task's head. */
export async function initialHead(task: TrainTask, codebooks: CodebookRegistry | undefined): Promise<Codebook> {
  const k = task.labels.length;
  const known = task.init === 'zero' ? undefined : codebooks?.get(task.init.codebook);
  const from = known ? await parseCodebookJson(await readFile(known.file, 'utf8')) : undefined;
  if (from && from.classifier.kind !== 'linear')
    throw new ObscuraError(
      'InvalidTaskError',
      `task "${task.scope}": init: codebook "${from.id}" is not a linear head (${from.classifier.kind})`,
      { where: task.scope, field: 'init' },
    );
  const head = from ? headFromClassifier(from.classifier as LinearClassifier) : zeroHead(k, task.model.dims);
  return sealCodebook({
    v: 1,
    id: versionCodebookId(task, 0),
    model: { ...task.model },
    labels: [...task.labels],
    input: 'l2-normalized',
    classifier: headToClassifier(head),
    description:
      task.init === 'zero'
        ? `version 0 of training task ${task.scope}: the zero head`
        : `version 0 of training task ${task.scope}: codebook ${task.init.codebook}`,
  });
}

export async function openTraining(
  store: ReportStore,
  train: readonly TrainTask[],
  codebooks: CodebookRegistry | undefined,
  token: string | undefined,
): Promise<readonly Route[]> {
  const trainStore = new TrainStore(store.database, () => store.now());
  for (const task of train) await trainStore.ensureVersionZero(task, await initialHead(task, codebooks));
  return trainRoutes({
    tasks: new Map(train.map((t) => [t.scope, t])),
    store: trainStore,
    token,
    now: () => store.now(),
  });
}
