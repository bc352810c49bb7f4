// The app's controls offer what the collector declares: its scopes, their mechanism and allowed ε values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settingsForTask, taskOf, taskProblem } from '../../../src/app/declared-task';
import { DEFAULT_SETTINGS, type PrivacySettings } from '../../../src/app/components/privacy-controls';
import { parseTasks } from '../../../src/report/task';
import type { DeclaredTasks } from '../../../src/release/index';

const tasks: DeclaredTasks = {
  version: 'sha256:' + '1'.repeat(64),
  fresh: true,
  tasks: parseTasks(
    [
      { scope: 'default', mechanism: 'privunit', epsilon: [1, 2] },
      { scope: 'faces', mechanism: 'gaussian', epsilon: 0.5, delta: 1e-7, dims: 16 },
      { scope: 'labels', mechanism: 'krr', epsilon: [1, 4], codebook: 'fashion-10' },
      { scope: 'other-labels', mechanism: 'oue', epsilon: 1, codebook: 'birds' },
    ],
    'tasks.json',
  ),
};
const codebooks = { 'fashion-10': 'codebooks/fashion-10.json' };

test('settings move onto the task, keeping the person’s ε where the task allows it', () => {
  const two = settingsForTask(taskOf(tasks, 'default')!, DEFAULT_SETTINGS, codebooks)!;
  assert.deepEqual(two.mechanism, { name: 'privunit', epsilon: 2 });
  const lowered: PrivacySettings = { ...DEFAULT_SETTINGS, mechanism: { name: 'laplace', epsilon: 3 } };
  assert.deepEqual(settingsForTask(taskOf(tasks, 'default')!, lowered, codebooks)!.mechanism, {
    name: 'privunit',
    epsilon: 1,
  });
  const faces = settingsForTask(taskOf(tasks, 'faces')!, DEFAULT_SETTINGS, codebooks)!;
  assert.deepEqual(faces.mechanism, { name: 'gaussian', epsilon: 0.5, delta: 1e-7 });
  assert.equal(faces.dims, 16);
  const labels = settingsForTask(taskOf(tasks, 'labels')!, DEFAULT_SETTINGS, codebooks)!;
  assert.deepEqual(labels.category, { name: 'krr', codebook: 'codebooks/fashion-10.json' });
  assert.equal(labels.mechanism.epsilon, 1);
});

test('a task naming a codebook the app lacks cannot be met', () => {
  assert.equal(settingsForTask(taskOf(tasks, 'other-labels')!, DEFAULT_SETTINGS, codebooks), undefined);
  assert.match(taskProblem(tasks, 'other-labels', DEFAULT_SETTINGS, codebooks)!, /codebook “birds”/);
});

test('the release control says why settings the collector does not take cannot be released', () => {
  assert.equal(taskProblem(undefined, 'anything', DEFAULT_SETTINGS, codebooks), undefined, 'no collector tasks read');
  assert.equal(taskProblem(tasks, 'default', DEFAULT_SETTINGS, codebooks), undefined, 'privunit ε 2 is declared');
  const three: PrivacySettings = { ...DEFAULT_SETTINGS, mechanism: { name: 'privunit', epsilon: 3 } };
  assert.match(taskProblem(tasks, 'default', three, codebooks)!, /privunit at ε 1 or 2/);
  assert.match(
    taskProblem(tasks, 'holidays', DEFAULT_SETTINGS, codebooks)!,
    /does not take reports for scope “holidays”/,
  );
  const gaussianNoProjection: PrivacySettings = {
    ...DEFAULT_SETTINGS,
    mechanism: { name: 'gaussian', epsilon: 0.5, delta: 1e-7 },
  };
  assert.match(taskProblem(tasks, 'faces', gaussianNoProjection, codebooks)!, /16 dimensions/);
  assert.equal(taskProblem(tasks, 'faces', { ...gaussianNoProjection, dims: 16 }, codebooks), undefined);
});
