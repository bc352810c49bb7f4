/**
 * The frame's side of labelling for a training task (widget-train.ts): the task the host names, read from
 * its collector, and the person's label picker and confirm click for each picked image.
 */
import { explainError } from '../../app/error-text';
import type { WidgetFrame } from './widget-frame';
import type { Picked } from './widget-frame-views';
import { refusedSuggestionError, trainChoice, widgetTrainRef, widgetTrainTask } from './widget-train';

/**
 * Reads the training task the host names from its collector (public: any page may GET /tasks) and
 * sorts out the suggestion. Errors here come from the host's attributes and the collector's
 * declaration alone, so the host hears them; images picked before keep the choice they were shown with.
 */
export async function loadTrainTask(frame: WidgetFrame): Promise<void> {
  const releases = frame.releases;
  if (!releases) return;
  const key = JSON.stringify([frame.config['train-task'], frame.config['suggested-label'], frame.config.endpoint]);
  if (key === frame.trainChecked) return;
  frame.trainChecked = key;
  try {
    const ref = widgetTrainRef(frame.config, await frame.endpointsLoaded);
    const task = ref
      ? widgetTrainTask(await releases.trainingTasks(ref.collector), ref, frame.config['suggested-label'])
      : undefined;
    if (key !== frame.trainChecked) return;
    frame.trainTask = task;
    const refused = task && refusedSuggestionError(task);
    if (refused) frame.link.postError(refused);
    // The rows are the very objects a release in progress updates: given their choice in place.
    if (task && frame.picked.some((p) => !p.train)) {
      for (const p of frame.picked) p.train ??= trainChoice(task);
      frame.picked = [...frame.picked];
    }
  } catch (err) {
    if (key === frame.trainChecked) frame.trainTask = undefined;
    frame.fail(err);
  }
}

/** The person's choice in the label picker: nothing is kept until they confirm it. */
export function onTrainLabel(frame: WidgetFrame, item: Picked, label: string): void {
  if (!item.train) return;
  item.train.label = label;
  item.train.error = undefined;
  frame.requestUpdate();
}

/**
 * The person's click keeps the image's features with the chosen label in the first-party store
 * (the release worker checks the label against the task's set and the features against its
 * model). The host hears nothing of it, failure included: whether the person labelled an image,
 * and how, is theirs.
 */
export async function onTrainConfirm(frame: WidgetFrame, item: Picked): Promise<void> {
  const refusal = frame.guard.refusal();
  if (refusal) return void (frame.notice = `That click was ignored: ${refusal}.`);
  frame.notice = '';
  const releases = frame.releases;
  const choice = item.train;
  if (!releases || !choice || choice.label === '' || choice.storing) return;
  const label = choice.label;
  choice.storing = true;
  choice.error = undefined;
  frame.requestUpdate();
  try {
    await releases.addTrainExample(item.contentHash, choice.ref, label);
    choice.kept = label;
  } catch (err) {
    choice.error = explainError(err);
  } finally {
    choice.storing = false;
    frame.requestUpdate();
  }
}
