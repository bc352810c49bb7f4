// The widget's attributes against its collector's declared tasks: a clear, typed error naming the attribute.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { widgetTaskError } from '../../../src/widget/frame/widget-task';
import { parseTasks } from '../../../src/report/task';
import type { DeclaredTasks } from '../../../src/release/index';

const scope = 'site:https_3a_2f_2fhost.example:photos';
const tasks: DeclaredTasks = {
  version: 'sha256:' + '2'.repeat(64),
  fresh: true,
  tasks: parseTasks([{ scope, mechanism: 'laplace', epsilon: [0.5, 1] }], 'GET /tasks'),
};
const endpoint = 'https://collector.example/reports';

test('attributes a declared task admits pass; those left out are the person’s to choose', () => {
  assert.equal(
    widgetTaskError(tasks, scope, { scope: 'photos', endpoint, mechanism: 'laplace', epsilon: 1 }),
    undefined,
  );
  assert.equal(widgetTaskError(tasks, scope, { scope: 'photos', endpoint }), undefined);
});

test('an undeclared scope and each differing attribute are named', () => {
  const undeclared = widgetTaskError(tasks, 'site:x:other', { scope: 'other', endpoint });
  assert.equal(undeclared?.name, 'UndeclaredScopeError');
  assert.match(undeclared!.message, /declares no task for scope "site:x:other"/);
  // The person (or the host's developer) reads the exact name the collector's tasks file must hold.
  assert.match(undeclared!.message, /its tasks file must declare \{"scope": "site:x:other", …\}/);
  assert.deepEqual(undeclared!.details, { attribute: 'scope', scope: 'site:x:other' });
  const mechanism = widgetTaskError(tasks, scope, { scope: 'photos', endpoint, mechanism: 'privunit' });
  assert.equal(mechanism?.name, 'TaskMismatchError');
  assert.equal(mechanism?.details?.['attribute'], 'mechanism');
  const epsilon = widgetTaskError(tasks, scope, { scope: 'photos', endpoint, epsilon: 2 });
  assert.equal(epsilon?.details?.['attribute'], 'epsilon');
  assert.match(epsilon!.message, /epsilon 0.5 or 1, but the widget's epsilon is 2/);
  assert.equal(widgetTaskError(tasks, scope, { scope: 'photos', endpoint, dims: 8 })?.details?.['attribute'], 'dims');
});
