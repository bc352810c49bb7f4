/**
 * A person's labelled examples for a training task, checked on the device before anything is
 * computed from them: a label outside the task's set is refused (UnknownLabelError), and so are
 * features of another model, layer or size (CodebookMismatchError), since an update from them
 * would move the head in a space it does not read. Nothing is stored or sent from here.
 */
import { ObscuraError } from '../errors';
import type { ModelRef } from '../model-ref';
import type { LabelledExamples } from './local-update';
import type { TrainTask } from './train-task';

/** One example as the device keeps it: the clean feature vector, its model, and the label the person gave. */
export interface TrainExample {
  readonly features: ArrayLike<number>;
  readonly model: ModelRef;
  readonly label: string;
}

/** Throws the typed refusal when `example` cannot serve `task`; returns its label's index. */
export function checkTrainExample(task: Pick<TrainTask, 'scope' | 'labels' | 'model'>, example: TrainExample): number {
  const index = task.labels.indexOf(example.label);
  if (index < 0)
    throw new ObscuraError(
      'UnknownLabelError',
      `label ${JSON.stringify(example.label)} is not one of task "${task.scope}"'s: ${task.labels.join(', ')}`,
      { task: task.scope, label: example.label, labels: [...task.labels] },
    );
  const m = example.model;
  const t = task.model;
  if (m.id !== t.id || m.layer !== t.layer || m.dims !== t.dims || example.features.length !== t.dims)
    throw new ObscuraError(
      'CodebookMismatchError',
      `task "${task.scope}" reads ${t.id}/${t.layer}/${t.dims}, the features are ` +
        `${m.id}/${m.layer}/${m.dims} with ${example.features.length} values`,
      { task: task.scope, expected: { ...t }, got: { ...m } },
    );
  for (let i = 0; i < example.features.length; i++)
    if (!Number.isFinite(example.features[i]!))
      throw new ObscuraError('InvalidVectorError', `feature ${i} is not a finite number`, { task: task.scope });
  return index;
}

/** The examples as the local update reads them; the first refused example throws. */
export function labelledExamples(
  task: Pick<TrainTask, 'scope' | 'labels' | 'model'>,
  examples: readonly TrainExample[],
): LabelledExamples {
  if (examples.length === 0)
    throw new ObscuraError('InvalidParameterError', `task "${task.scope}" has no examples on this device`, {
      task: task.scope,
      parameter: 'examples',
    });
  const labels = examples.map((e) => checkTrainExample(task, e));
  return { vectors: examples.map((e) => e.features), labels };
}
