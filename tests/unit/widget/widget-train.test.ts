// The widget's training attributes: the task its collector declares, the host's suggestion sorted
// into preselected or ignored, and a typed error naming the attribute when they cannot be used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  refusedSuggestionError,
  trainChoice,
  widgetTrainRef,
  widgetTrainTask,
} from '../../../src/widget/frame/widget-train';
import { hostSafeError } from '../../../src/widget/frame/host-error';

const endpoint = 'https://collector.example/reports';
const allowed = ['https://collector.example'];
const declared = [
  { scope: 'parcels', labels: ['Sneaker', 'Bag', 'Trouser'] },
  { scope: 'other', labels: ['a', 'b'] },
];

test('no train-task: no training; a task needs an allowed endpoint, its collector', () => {
  assert.equal(widgetTrainRef({ endpoint }, allowed), undefined);
  assert.deepEqual(widgetTrainRef({ endpoint, 'train-task': 'parcels' }, allowed), {
    collector: endpoint,
    task: 'parcels',
  });
  const attribute = (f: () => unknown) => {
    try {
      f();
    } catch (err) {
      assert.equal((err as Error).name, 'InvalidParameterError');
      return (err as { details: Record<string, unknown> }).details['attribute'];
    }
    assert.fail('expected InvalidParameterError');
  };
  assert.equal(
    attribute(() => widgetTrainRef({ 'train-task': 'parcels' }, allowed)),
    'train-task',
  );
  assert.equal(
    attribute(() => widgetTrainRef({ 'suggested-label': 'Bag', endpoint }, allowed)),
    'suggested-label',
  );
  const elsewhere = { 'train-task': 'parcels', endpoint: 'https://evil.example/reports' };
  assert.equal(
    attribute(() => widgetTrainRef(elsewhere, allowed)),
    'endpoint',
  );
  // The host's developer hears which attribute, in the host-safe words.
  try {
    widgetTrainRef({ 'train-task': 'parcels' }, allowed);
  } catch (err) {
    assert.deepEqual(hostSafeError(err), {
      name: 'InvalidParameterError',
      message: "the widget's train-task attribute cannot be used here",
    });
  }
});

test('a suggestion in the label set is preselected; one outside it preselects nothing and is refused', () => {
  const ref = { collector: endpoint, task: 'parcels' };
  const inSet = widgetTrainTask(declared, ref, 'Bag');
  assert.deepEqual(inSet, { ref, labels: ['Sneaker', 'Bag', 'Trouser'], preselected: 'Bag' });
  assert.equal(refusedSuggestionError(inSet), undefined);
  assert.deepEqual(trainChoice(inSet), { ref, labels: ['Sneaker', 'Bag', 'Trouser'], label: 'Bag', suggested: 'Bag' });

  const outside = widgetTrainTask(declared, ref, 'Damaged');
  assert.equal(outside.preselected, undefined);
  assert.equal(outside.refused, 'Damaged');
  assert.deepEqual(trainChoice(outside), { ref, labels: ['Sneaker', 'Bag', 'Trouser'], label: '' });
  const error = refusedSuggestionError(outside)!;
  assert.equal(error.name, 'UnknownLabelError');
  assert.match(error.message, /"Damaged" is not one of task "parcels"'s labels \(Sneaker, Bag, Trouser\)/);
  assert.deepEqual(hostSafeError(error), {
    name: 'UnknownLabelError',
    message: "the label is not one of the training task's labels",
  });
  // Labels compare exactly: another case or spacing is another label.
  for (const near of ['bag', 'Bag ', ' Bag']) assert.equal(widgetTrainTask(declared, ref, near).preselected, undefined);

  const none = widgetTrainTask(declared, ref, undefined);
  assert.deepEqual(none, { ref, labels: ['Sneaker', 'Bag', 'Trouser'] });
  assert.equal(trainChoice(none).label, '');
});

test('a task the collector does not declare is named', () => {
  const ref = { collector: endpoint, task: 'missing' };
  assert.throws(
    () => widgetTrainTask(declared, ref, 'Bag'),
    (err: Error & { details?: Record<string, unknown> }) =>
      err.name === 'UndeclaredScopeError' &&
      /declares no training task "missing"/.test(err.message) &&
      err.details?.['attribute'] === 'train-task',
  );
});

test('each choice is its own: changing one image’s label leaves the task and other images alone', () => {
  const task = widgetTrainTask(declared, { collector: endpoint, task: 'parcels' }, 'Bag');
  const a = trainChoice(task);
  const b = trainChoice(task);
  a.label = 'Trouser';
  assert.equal(b.label, 'Bag');
  assert.equal(task.preselected, 'Bag');
});
