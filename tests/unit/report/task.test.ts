import { test } from 'node:test';
import assert from 'node:assert/strict';
import { privatizeFeatures } from '../../../src/report/privatize-features';
import { cryptoRandomSource } from '../../../src/privacy/random/random-source';
import {
  DEFAULT_TASK_MODEL,
  parseTasks,
  requireTaskMatch,
  taskMismatch,
  taskProjection,
  taskReleaseOfReport,
  tasksVersion,
  type Task,
} from '../../../src/report/task';

const clean = Array.from({ length: 96 }, (_, i) => Math.sin(i + 1));

function invalid(value: unknown, pattern: RegExp): void {
  assert.throws(
    () => parseTasks(value, 'tasks.json'),
    (err: Error) => err.name === 'InvalidTaskError' && pattern.test(err.message),
  );
}

test('a short task is normalised: ε a list, δ 0, the default model and its dims, clip 1', () => {
  const [privunit, gaussian, krr] = parseTasks(
    [
      { scope: 'default', mechanism: 'privunit', epsilon: 2 },
      { scope: 'g', mechanism: 'gaussian', epsilon: [1, 4], delta: 1e-7, dims: 32 },
      { scope: 'labels', mechanism: 'krr', epsilon: 1, codebook: 'demo' },
    ],
    'tasks.json',
  );
  assert.deepEqual(privunit, {
    scope: 'default',
    mechanism: 'privunit',
    epsilon: [2],
    delta: 0,
    model: DEFAULT_TASK_MODEL,
    dims: 96,
  });
  assert.deepEqual(gaussian?.epsilon, [1, 4]);
  assert.equal(gaussian?.clip, 1);
  assert.equal(gaussian?.dims, 32);
  assert.deepEqual(krr, {
    scope: 'labels',
    mechanism: 'krr',
    epsilon: [1],
    delta: 0,
    model: DEFAULT_TASK_MODEL,
    codebook: 'demo',
  });
});

test('the normalised tasks parse to themselves, with the same version', async () => {
  const tasks = parseTasks(
    [
      { scope: 'a', mechanism: 'laplace', epsilon: [0.5, 1], clip: 2, model: 'mobilenet_v2/block_15_add', dims: 64 },
      { scope: 'b', mechanism: 'oue', epsilon: 3, codebook: 'demo' },
    ],
    'tasks.json',
  );
  const again = parseTasks(JSON.parse(JSON.stringify(tasks)), 'GET /tasks');
  assert.deepEqual(again, tasks);
  assert.equal(await tasksVersion(again), await tasksVersion(tasks));
  assert.equal(await tasksVersion([...tasks].reverse()), await tasksVersion(tasks));
  assert.match(await tasksVersion(tasks), /^sha256:[0-9a-f]{64}$/);
  const changed = parseTasks([{ ...tasks[0], epsilon: [0.5, 2] }, tasks[1]], 'x');
  assert.notEqual(await tasksVersion(changed), await tasksVersion(tasks));
});

test('a task no mechanism can meet is refused, naming the file, the task and the field', () => {
  invalid({}, /^tasks\.json: expected a JSON array/);
  invalid(
    [
      { scope: 'a', mechanism: 'privunit', epsilon: 1 },
      { scope: 'faces', mechanism: 'privunit', epsilon: 0.001 },
    ],
    /^tasks\.json: task 1 \("faces"\): epsilon: 0\.001 is below the floor 0\.01$/,
  );
  invalid([{ scope: 'a', mechanism: 'privunit', epsilon: [1, 1] }], /task 0 \("a"\): epsilon: .*distinct/);
  invalid([{ scope: 'a', mechanism: 'privunit', epsilon: [1, 2, 3, 4, 5, 6, 7, 8, 9] }], /task 0 \("a"\): epsilon/);
  invalid([{ scope: 'a', mechanism: 'privunit', epsilon: 17 }], /epsilon: 17 is above the ceiling 16/);
  invalid([{ scope: 'a', mechanism: 'gaussian', epsilon: 1 }], /task 0 \("a"\): delta: a gaussian task needs one/);
  invalid([{ scope: 'a', mechanism: 'gaussian', epsilon: 1, delta: 0.01 }], /task 0 \("a"\): delta: 0\.01 is outside/);
  invalid([{ scope: 'a', mechanism: 'laplace', epsilon: 1, delta: 1e-7 }], /delta: a laplace task has δ = 0/);
  invalid([{ scope: 'a', mechanism: 'privunit', epsilon: 1, dims: 97 }], /dims: 97 is above the model's 96/);
  invalid([{ scope: 'a', mechanism: 'krr', epsilon: 1 }], /codebook: a krr task needs the codebook/);
  invalid([{ scope: 'a', mechanism: 'privunit', epsilon: 1, codebook: 'demo' }], /task 0 \("a"\): codebook:/);
  invalid([{ scope: 'a', mechanism: 'privunit', epsilon: 1, clip: 2 }], /clip: a privunit task has no clip/);
  invalid(
    [{ scope: 'a', mechanism: 'privunit', epsilon: 1, k: 4 }],
    /task 0 \("a"\): k: a privunit task releases a vector/,
  );
  invalid([{ scope: 'a', mechanism: 'median', epsilon: 1 }], /task 0 \("a"\): mechanism:/);
  invalid([{ scope: 'a', mechanism: 'privunit', epsilon: 1, sigma: 3 }], /task 0 \("a"\): sigma: unknown field/);
  invalid([{ scope: 'a b', mechanism: 'privunit', epsilon: 1 }], /task 0 \("a b"\): scope:/);
  invalid(
    [{ scope: 'a', mechanism: 'privunit', epsilon: 1, model: 'resnet/pool' }],
    /model: the size of "resnet\/pool"/,
  );
  invalid([{ scope: 'a', mechanism: 'laplace', epsilon: 1, aggregateOnly: true }], /aggregateOnly: .* gaussian/);
  invalid(
    [
      { scope: 'a', mechanism: 'privunit', epsilon: 1 },
      { scope: 'a', mechanism: 'laplace', epsilon: 1 },
    ],
    /task 1 \("a"\): scope: task 0 declares the same scope/,
  );
});

test('a model given with its dims is taken; a known layer with other dims is refused', () => {
  const [t] = parseTasks(
    [{ scope: 'a', mechanism: 'privunit', epsilon: 1, model: { id: 'resnet', layer: 'pool', dims: 512 } }],
    'f',
  );
  assert.deepEqual(t?.model, { id: 'resnet', layer: 'pool', dims: 512 });
  assert.equal(t?.dims, 512);
  invalid(
    [{ scope: 'a', mechanism: 'privunit', epsilon: 1, model: { id: 'mobilenet_v2', layer: 'block_12_add', dims: 97 } }],
    /model:/,
  );
});

test("a device's own release matches its task; each group-forming field that differs is named", () => {
  const [task] = parseTasks([{ scope: 'g', mechanism: 'gaussian', epsilon: [1, 2], delta: 1e-7, dims: 32 }], 'f') as [
    Task,
  ];
  const report = privatizeFeatures(
    clean,
    DEFAULT_TASK_MODEL,
    { mechanism: { name: 'gaussian', epsilon: 2, delta: 1e-7 }, dims: 32, scope: 'g' },
    cryptoRandomSource,
  );
  const release = taskReleaseOfReport(report);
  assert.deepEqual(report.projection, taskProjection(task));
  assert.equal(taskMismatch(task, release), null);
  assert.equal(requireTaskMatch([task], release), task);

  const m = release.mechanism;
  assert.match(
    taskMismatch(task, { ...release, mechanism: { ...m, epsilon: 3 } }) ?? '',
    /^epsilon: expected one of \[1,2\], got 3$/,
  );
  assert.match(taskMismatch(task, { ...release, mechanism: { ...m, delta: 1e-8 } }) ?? '', /^delta:/);
  assert.match(taskMismatch(task, { ...release, mechanism: { ...m, clip: 2 } }) ?? '', /^clip: expected 1, got 2$/);
  assert.match(taskMismatch(task, { ...release, mechanism: { ...m, name: 'laplace' } }) ?? '', /^mechanism:/);
  assert.match(
    taskMismatch(task, { ...release, model: { ...release.model, layer: 'made_up' } }) ?? '',
    /^model\.layer:/,
  );
  assert.match(taskMismatch(task, { ...release, model: { ...release.model, dims: 128 } }) ?? '', /^model\.dims:/);
  assert.match(
    taskMismatch(task, { ...release, projection: { id: 'rorth-7-96x32', dims: 32 } }) ?? '',
    /^projection: expected "rorth-20261122-96x32", got "rorth-7-96x32"$/,
  );
  assert.match(
    taskMismatch(task, { ...release, dims: 16, projection: { id: 'rorth-20261122-96x16', dims: 16 } }) ?? '',
    /^dims:/,
  );
  assert.match(taskMismatch(task, { ...release, aggregateOnly: true }) ?? '', /^aggregateOnly:/);
  assert.match(taskMismatch(task, { ...release, category: { codebook: 'demo', k: 4 } }) ?? '', /^codebook:/);

  assert.throws(() => requireTaskMatch([task], { ...release, scope: 'other' }), { name: 'UndeclaredScopeError' });
  assert.throws(
    () => requireTaskMatch([task], { ...release, mechanism: { ...m, epsilon: 3 } }),
    (err: Error & { details?: Record<string, unknown> }) =>
      err.name === 'TaskMismatchError' && err.details?.['field'] === 'epsilon',
  );
});

test('an unprojected task refuses a projection, and a category task its codebook only', () => {
  const [full, labels] = parseTasks(
    [
      { scope: 'v', mechanism: 'privunit', epsilon: 1 },
      { scope: 'c', mechanism: 'krr', epsilon: 1, codebook: 'demo' },
    ],
    'f',
  ) as [Task, Task];
  const report = privatizeFeatures(
    clean,
    DEFAULT_TASK_MODEL,
    { mechanism: { name: 'privunit', epsilon: 1 }, scope: 'v' },
    cryptoRandomSource,
  );
  const release = taskReleaseOfReport(report);
  assert.equal(report.projection, null);
  assert.equal(taskMismatch(full, release), null);
  assert.match(
    taskMismatch(full, { ...release, projection: { id: 'rorth-20261122-96x96', dims: 96 } }) ?? '',
    /^projection:/,
  );
  const category = {
    scope: 'c',
    mechanism: { name: 'krr', epsilon: 1, delta: 0 },
    model: DEFAULT_TASK_MODEL,
    projection: null,
    category: { codebook: 'demo', k: 10 },
    aggregateOnly: false,
  };
  assert.equal(taskMismatch(labels, category), null);
  assert.match(
    taskMismatch(labels, { ...category, category: { codebook: 'other', k: 10 } }) ?? '',
    /^codebook: expected "demo", got "other"$/,
  );
  assert.match(taskMismatch(labels, { ...category, dims: 96, category: undefined }) ?? '', /^codebook:/);
  const [pinned] = parseTasks([{ scope: 'c', mechanism: 'krr', epsilon: 1, codebook: 'demo', k: 10 }], 'f') as [Task];
  assert.equal(taskMismatch(pinned, category), null);
  assert.match(
    taskMismatch(pinned, { ...category, category: { codebook: 'demo', k: 11 } }) ?? '',
    /^k: expected 10, got 11$/,
  );
});
