/**
 * Labelling picked images for a training task inside the widget. The host names the task
 * (`train-task`, declared by the collector at `endpoint`) and may suggest a label
 * (`suggested-label`); the person sees the task's labels with the suggestion preselected, and only
 * their click inside the frame keeps the example, in the app origin's first-party store, as the
 * app's label picker does. A suggestion outside the task's labels preselects nothing and is said to
 * be ignored. Each picked image's choice holds the task and suggestion as they were when it was
 * shown, so a host that changes its attributes later changes no choice the person is looking at.
 */
import { ObscuraError } from '../../errors';
import type { TrainTask, TrainTaskRef } from '../../release/index';
import type { WidgetConfig } from '../protocol';
import { checkAllowedEndpoint } from './allowed-endpoint';

/** The task's labels for one picked image, the label the person has chosen so far, and whether it is kept. */
export interface TrainChoice {
  readonly ref: TrainTaskRef;
  readonly labels: readonly string[];
  /** The chosen label; '' until the person (or a suggestion in the set) chooses one. */
  label: string;
  /** The host's suggestion this choice started from, named beside the picker so the person knows whose it is. */
  readonly suggested?: string;
  /** The label last kept for this image, if any (choosing another and confirming replaces it). */
  kept?: string;
  storing?: boolean;
  /** Why the last confirm failed, for the person's eyes only. */
  error?: string;
}

/** The task the frame labels for: what the host named, and what its collector declares of it. */
export interface WidgetTrainTask {
  readonly ref: TrainTaskRef;
  readonly labels: readonly string[];
  /** The host's suggestion, when it is one of the labels. */
  readonly preselected?: string;
  /** The host's suggestion, when it is not one of the labels: shown as ignored, never kept. */
  readonly refused?: string;
}

/**
 * The training task the attributes name, or undefined without `train-task`. Its collector is the
 * widget's `endpoint`, which must be one the server lists, as for a release (the frame page's CSP
 * allows no other); a suggestion without a task has nothing to be a label of.
 */
export function widgetTrainRef(config: WidgetConfig, allowedEndpoints: readonly string[]): TrainTaskRef | undefined {
  const task = config['train-task'];
  if (task === undefined) {
    if (config['suggested-label'] === undefined) return undefined;
    throw new ObscuraError(
      'InvalidParameterError',
      'suggested-label needs a train-task attribute: the id of the training task the label is for',
      { attribute: 'suggested-label' },
    );
  }
  const endpoint = config.endpoint;
  if (endpoint === undefined)
    throw new ObscuraError(
      'InvalidParameterError',
      `train-task="${task}" needs an endpoint attribute: the collector that declares the task`,
      { attribute: 'train-task' },
    );
  checkAllowedEndpoint(endpoint, allowedEndpoints);
  return { collector: endpoint, task };
}

/** The declared task of `ref` among the collector's training tasks, with the host's suggestion sorted out. */
export function widgetTrainTask(
  declared: readonly Pick<TrainTask, 'scope' | 'labels'>[],
  ref: TrainTaskRef,
  suggested: string | undefined,
): WidgetTrainTask {
  const task = declared.find((t) => t.scope === ref.task);
  if (!task)
    throw new ObscuraError(
      'UndeclaredScopeError',
      `the collector at ${ref.collector} declares no training task "${ref.task}" (train-task="${ref.task}")`,
      { attribute: 'train-task' },
    );
  const labels = [...task.labels];
  if (suggested === undefined) return { ref, labels };
  return labels.includes(suggested) ? { ref, labels, preselected: suggested } : { ref, labels, refused: suggested };
}

/** The error the host hears once when its suggestion is not one of the task's labels (nothing of the person's). */
export function refusedSuggestionError(task: WidgetTrainTask): ObscuraError | undefined {
  if (task.refused === undefined) return undefined;
  return new ObscuraError(
    'UnknownLabelError',
    `the suggested label ${JSON.stringify(task.refused)} is not one of task "${task.ref.task}"'s labels ` +
      `(${task.labels.join(', ')}); it was ignored`,
    { attribute: 'suggested-label', task: task.ref.task },
  );
}

/** A fresh choice for an image shown now: the task's labels, the suggestion preselected if it is one. */
export function trainChoice(task: WidgetTrainTask): TrainChoice {
  if (task.preselected === undefined) return { ref: task.ref, labels: task.labels, label: '' };
  return { ref: task.ref, labels: task.labels, label: task.preselected, suggested: task.preselected };
}
