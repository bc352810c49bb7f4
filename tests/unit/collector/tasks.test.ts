// Declared tasks at the collector, over real HTTP: served without a token, every report checked
// against its scope's task, and a tasks file no release can meet stopping the start.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCollector } from '../../../collector/server';
import { DEFAULT_TASK_EPSILONS } from '../../../collector/tasks';
import type { Report, VectorReport } from '../../../src/report/schema';
import { parseTasks, tasksVersion } from '../../../src/report/task';
import { startCollector, type TestCollector } from '../../support/collector';
import { collectorTemplate } from '../../support/pglite-template';
import { postReport, releasedReport } from './support';

const TOKEN = 'tasks-read-token';
const TASKS = [
  { scope: 'faces', mechanism: 'privunit', epsilon: [1, 4] },
  { scope: 'noisy', mechanism: 'gaussian', epsilon: 2, delta: 1e-7, dims: 32 },
  { scope: 'labels', mechanism: 'krr', epsilon: 1, codebook: 'fashion-10' },
] as const;

let dir: string;
let collector: TestCollector;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'obscura-tasks-'));
  collector = await startCollector({ readToken: TOKEN, codebooks: 'public/codebooks', tasks: TASKS });
});
after(async () => {
  await collector?.close();
  await rm(dir, { recursive: true, force: true });
});

async function refusal(report: unknown): Promise<{ status: number; name: string; message: string; path?: string }> {
  const res = await postReport(collector.url, report);
  const body = (await res.json()) as { error: { name: string; message: string; issues?: { path: string }[] } };
  return { status: res.status, ...body.error, ...(body.error.issues ? { path: body.error.issues[0]!.path } : {}) };
}

test('GET /tasks and GET /tasks/SCOPE answer without a token, versioned and revalidated by ETag', async () => {
  const expected = parseTasks(TASKS, 'x');
  const version = await tasksVersion(expected);
  const all = await fetch(`${collector.url}/tasks`);
  assert.equal(all.status, 200);
  assert.deepEqual(await all.json(), { version, tasks: expected });
  assert.equal(all.headers.get('etag'), `"${version}"`);
  const one = await fetch(`${collector.url}/tasks/noisy`);
  assert.equal(one.status, 200);
  assert.deepEqual(await one.json(), { version, task: expected[1] });
  const again = await fetch(`${collector.url}/tasks`, { headers: { 'if-none-match': `"${version}"` } });
  assert.equal(again.status, 304);
  const none = await fetch(`${collector.url}/tasks/elsewhere`);
  assert.equal(none.status, 404);
  assert.equal(((await none.json()) as { error: { name: string } }).error.name, 'UndeclaredScopeError');
  // Reads of stored data still need the token.
  assert.equal((await fetch(`${collector.url}/reports`)).status, 401);
});

test('a report to an undeclared scope is refused with UndeclaredScopeError, and nothing is stored', async () => {
  const before = await collector.count();
  const r = await refusal(releasedReport('elsewhere', { name: 'privunit', epsilon: 1 }));
  assert.deepEqual([r.status, r.name, r.path], [400, 'UndeclaredScopeError', 'scope']);
  assert.match(r.message, /"elsewhere" is not declared; declared: faces, noisy, labels/);
  assert.equal(await collector.count(), before);
});

test('a report with other parameters than its task is refused with TaskMismatchError naming the field', async () => {
  const wrong: [Report, string][] = [
    [releasedReport('faces', { name: 'privunit', epsilon: 2 }), 'epsilon'],
    [releasedReport('faces', { name: 'laplace', epsilon: 1 }), 'mechanism'],
    [releasedReport('faces', { name: 'privunit', epsilon: 1 }, 64), 'model.layer'],
    [releasedReport('noisy', { name: 'gaussian', epsilon: 2, delta: 1e-7, clip: 2 }, 96, 32), 'clip'],
    [releasedReport('noisy', { name: 'gaussian', epsilon: 2, delta: 1e-8 }, 96, 32), 'delta'],
    [releasedReport('noisy', { name: 'gaussian', epsilon: 2, delta: 1e-7 }, 96, 16), 'dims'],
    [releasedReport('labels', { name: 'oue', epsilon: 1, k: 10 }), 'mechanism'],
  ];
  const madeUpLayer = releasedReport('faces', { name: 'privunit', epsilon: 1 });
  wrong.push([{ ...madeUpLayer, model: { ...madeUpLayer.model, layer: 'made_up' } }, 'model.layer']);
  // Another projection seed: a projection the device never uses for 96 → 32.
  const seeded = releasedReport('noisy', { name: 'gaussian', epsilon: 2, delta: 1e-7 }, 96, 32) as VectorReport;
  wrong.push([{ ...seeded, projection: { id: 'rorth-7-96x32', dims: 32 } }, 'projection']);
  for (const [report, field] of wrong) {
    const r = await refusal(report);
    assert.deepEqual([r.status, r.name, r.path], [400, 'TaskMismatchError', field], r.message);
    assert.match(r.message, new RegExp(`${field.replace('.', '\\.')}: expected`));
  }
  for (const honest of [
    releasedReport('faces', { name: 'privunit', epsilon: 4 }),
    releasedReport('noisy', { name: 'gaussian', epsilon: 2, delta: 1e-7 }, 96, 32),
    releasedReport('labels', { name: 'krr', epsilon: 1, k: 10 }),
  ])
    assert.equal((await postReport(collector.url, honest)).status, 201);
});

test('256 reports with distinct ε values leave an honest report accepted', async () => {
  const statuses = new Map<number, number>();
  for (let i = 0; i < 256; i++) {
    const res = await postReport(collector.url, releasedReport('faces', { name: 'privunit', epsilon: 5 + i / 64 }));
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    await res.body?.cancel();
  }
  assert.deepEqual([...statuses], [[400, 256]]);
  assert.equal(
    (await postReport(collector.url, releasedReport('faces', { name: 'privunit', epsilon: 1 }))).status,
    201,
  );
  const groups = (await collector.aggregates('faces')).vectors.length;
  assert.ok(groups <= 2, `${groups} groups: at most one per declared ε`);
});

async function writeTasks(name: string, value: unknown): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

test('a tasks file no release can meet stops the start, naming the file, the task and the field', async () => {
  const cases: [unknown, RegExp][] = [
    ['[{"scope": ', /bad-0\.json: not JSON/],
    [
      [TASKS[0], { scope: 'tiny', mechanism: 'privunit', epsilon: 0.001 }],
      /bad-1\.json: task 1 \("tiny"\): epsilon: 0\.001 is below the floor 0\.01/,
    ],
    [
      [{ scope: 'g', mechanism: 'gaussian', epsilon: 1 }],
      /bad-2\.json: task 0 \("g"\): delta: a gaussian task needs one/,
    ],
    [
      [{ scope: 'c', mechanism: 'krr', epsilon: 1, codebook: 'nowhere' }],
      /bad-3\.json: task 0 \("c"\): codebook: "nowhere"/,
    ],
    [[{ scope: 'd', mechanism: 'laplace', epsilon: 1, dims: 200 }], /bad-4\.json: task 0 \("d"\): dims: 200 is above/],
  ];
  for (const [i, [value, pattern]] of cases.entries()) {
    const tasks = await writeTasks(`bad-${i}.json`, value);
    await assert.rejects(openCollector({ codebooks: 'public/codebooks', tasks }), (err: Error) => {
      assert.equal(err.name, 'InvalidTaskError');
      assert.match(err.message, pattern);
      return true;
    });
  }
});

test('the collector command exits 2 on a bad tasks file, naming it; without one, the app’s scopes', async () => {
  const tasks = await writeTasks('bad-cli.json', [{ scope: 'x', mechanism: 'oue', epsilon: 1 }]);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'collector/main.ts', '--memory', '--port', '0', '--tasks', tasks],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const [code] = (await once(child, 'close')) as [number | null];
  assert.equal(code, 2, stderr);
  assert.match(stderr, /bad-cli\.json: task 0 \("x"\): codebook: a oue task needs the codebook/);

  const app = await openCollector({ codebooks: 'public/codebooks', pgliteTemplate: await collectorTemplate() });
  try {
    assert.deepEqual(
      app.tasks.map((t) => [t.scope, t.mechanism, t.epsilon]),
      ['default', 'gaussian', 'laplace', 'krr', 'oue'].map((s) => [
        s,
        s === 'default' ? 'privunit' : s,
        DEFAULT_TASK_EPSILONS,
      ]),
    );
  } finally {
    await app.store.close();
  }
});
