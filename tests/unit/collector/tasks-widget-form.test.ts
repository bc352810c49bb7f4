// A tasks file may name a widget host's scope readably: {"widget": {"origin", "scope"}} is read as
// the escaped scope the widget reports to, and the collector serves (and checks) that scope.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTasks } from '../../../src/report/task';
import { hostScopeName } from '../../../src/widget/frame/host-scope';
import { startCollector } from '../../support/collector';

const ORIGIN = 'https://shop.example';

test('a widget task is the task of the scope the frame names, and means the same as one written with it', () => {
  const readable = parseTasks(
    [
      { widget: { origin: ORIGIN, scope: 'photos' }, mechanism: 'privunit', epsilon: [0.5, 1] },
      { widget: { origin: 'HTTP://127.0.0.1:8080/' }, mechanism: 'laplace', epsilon: 2 },
    ],
    'tasks.json',
  );
  const written = parseTasks(
    [
      { scope: 'site:https_3A_2F_2Fshop.example:photos', mechanism: 'privunit', epsilon: [0.5, 1] },
      { scope: hostScopeName('http://127.0.0.1:8080', 'default'), mechanism: 'laplace', epsilon: 2 },
    ],
    'tasks.json',
  );
  assert.deepEqual(readable, written);
  assert.equal(readable[0]!.scope, hostScopeName(ORIGIN, 'photos'));
  assert.ok(!('widget' in readable[0]!));
});

test('a widget task that is ambiguous or cannot be a scope names the file, the task and the field', () => {
  const base = { mechanism: 'privunit', epsilon: 1 };
  for (const [task, field, why] of [
    [{ ...base, widget: { origin: ORIGIN }, scope: 'photos' }, 'widget', /its scope or its widget, not both/],
    [{ ...base, widget: { origin: `${ORIGIN}/photos` } }, 'widget.origin', /is not an origin such as/],
    [{ ...base, widget: { origin: 'shop.example' } }, 'widget.origin', /is not an origin/],
    [{ ...base, widget: { origin: 'ftp://shop.example' } }, 'widget.origin', /is not an origin/],
    [{ ...base, widget: { origin: ORIGIN, scope: 'a:b' } }, 'widget.scope', /1 to 64 letters/],
    [{ ...base, widget: { origin: `https://${'a'.repeat(120)}.example` } }, 'widget.origin', /too long/],
    [{ ...base, widget: { origin: ORIGIN, path: '/' } }, 'widget.path', /Unrecognized key/],
    [{ ...base, widget: { scope: 'photos' } }, 'widget.origin', /expected string/],
    [{ ...base, widget: ORIGIN }, 'widget', /expected object/],
  ] as const) {
    assert.throws(
      () => parseTasks([task], 'tasks.json'),
      (err: Error & { details?: Record<string, unknown> }) => {
        assert.equal(err.name, 'InvalidTaskError');
        assert.deepEqual(err.details, { source: 'tasks.json', where: 'task 0', field });
        assert.match(err.message, why);
        return true;
      },
      JSON.stringify(task),
    );
  }
  // The same widget twice, once readable and once written out, is one scope declared twice.
  assert.throws(
    () =>
      parseTasks(
        [
          { ...base, widget: { origin: ORIGIN } },
          { ...base, scope: hostScopeName(ORIGIN) },
        ],
        'tasks.json',
      ),
    /task 1 .*: scope: task 0 declares the same scope/,
  );
});

test('a collector started with a widget task serves the escaped scope at GET /tasks and GET /tasks/SCOPE', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'obscura-widget-form-'));
  const file = join(dir, 'tasks.json');
  await writeFile(
    file,
    JSON.stringify([{ widget: { origin: ORIGIN, scope: 'photos' }, mechanism: 'privunit', epsilon: 1 }]),
  );
  const collector = await startCollector({ tasks: file });
  try {
    const scope = hostScopeName(ORIGIN, 'photos');
    const all = (await (await fetch(`${collector.url}/tasks`)).json()) as { tasks: Record<string, unknown>[] };
    assert.deepEqual(
      all.tasks.map((t) => [t['scope'], t['mechanism'], t['epsilon'], 'widget' in t]),
      [[scope, 'privunit', [1], false]],
    );
    const one = await fetch(`${collector.url}/tasks/${encodeURIComponent(scope)}`);
    assert.equal(one.status, 200);
    assert.equal(((await one.json()) as { task: { scope: string } }).task.scope, scope);
  } finally {
    await collector.close();
    await rm(dir, { recursive: true, force: true });
  }
});
