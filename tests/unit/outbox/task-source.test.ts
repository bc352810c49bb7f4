// The device's check of a release against its collector's declared task, over HTTP against the real
// collector started here: a matching report passes with its stamp; another ε or an undeclared scope is
// refused (typed, before any charge); a task that changed is learned at once; offline, a task read
// before serves and a scope never read is refused; a queued report is withdrawn once its task changed.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCollector, type TestCollector } from '../../support/collector';
import { TaskSource, tasksUrlOf } from '../../../src/outbox/task-source';
import { memoryTaskCache } from '../../../src/outbox/task-cache';
import { privatizeFeatures } from '../../../src/report/privatize-features';
import { cryptoRandomSource } from '../../../src/privacy/random/random-source';
import { DEFAULT_TASK_MODEL, type TaskInput } from '../../../src/report/task';
import type { ReportOutboxEntry } from '../../../src/ledger/ledger-schema';
import type { VectorMechanismParams } from '../../../src/privacy/mechanism';

const before: TaskInput[] = [{ scope: 'photos', mechanism: 'privunit', epsilon: [1, 2] }];
const changed: TaskInput[] = [{ scope: 'photos', mechanism: 'privunit', epsilon: [0.5] }];

let collector: TestCollector = await startCollector({ tasks: before });
const port = new URL(collector.url).port;
const destination = `${collector.url}/reports`;
after(() => collector.close());

/** The collector restarted on the same port with other tasks: what a device sees when its task changes. */
async function redeclare(tasks: TaskInput[]): Promise<void> {
  await collector.close();
  collector = await startCollector({ tasks, port: Number(port) });
}

function report(scope: string, mechanism: VectorMechanismParams) {
  const clean = Array.from({ length: DEFAULT_TASK_MODEL.dims }, (_, i) => Math.sin(i + 1));
  return privatizeFeatures(clean, DEFAULT_TASK_MODEL, { mechanism, scope }, cryptoRandomSource);
}

function queued(r: ReturnType<typeof report>, task: ReportOutboxEntry['task']): ReportOutboxEntry {
  return { id: r.id, destination, report: r, attempts: 0, nextAttemptAt: 0, ...(task ? { task } : {}) };
}

test('the tasks URL is the collector’s, beside its /reports', () => {
  assert.equal(tasksUrlOf('https://c.example/obscura/reports', 'a b'), 'https://c.example/obscura/tasks/a%20b');
  assert.equal(tasksUrlOf('https://c.example/reports'), 'https://c.example/tasks');
  assert.equal(tasksUrlOf('https://c.example', 'x'), 'https://c.example/tasks/x', 'a collector at the root');
  assert.equal(tasksUrlOf('host page https://h.example'), undefined, 'a host page is no collector');
});

test('a release its task admits passes with the version; another ε or scope is refused by name', async () => {
  const source = new TaskSource(memoryTaskCache());
  const stamp = await source.check(destination, report('photos', { name: 'privunit', epsilon: 2 }));
  assert.equal(stamp.url, `${collector.url}/tasks/photos`);
  assert.match(stamp.version, /^sha256:[0-9a-f]{64}$/);
  assert.equal(stamp.version, (await source.declared(destination)).version);

  await assert.rejects(source.check(destination, report('photos', { name: 'privunit', epsilon: 3 })), (err: Error) => {
    assert.equal(err.name, 'TaskMismatchError');
    assert.match(err.message, /epsilon: expected one of \[1,2\], got 3; nothing was charged/);
    return true;
  });
  await assert.rejects(source.check(destination, report('photos', { name: 'laplace', epsilon: 1 })), {
    name: 'TaskMismatchError',
  });
  await assert.rejects(source.check(destination, report('faces', { name: 'privunit', epsilon: 1 })), (err: Error) => {
    assert.equal(err.name, 'UndeclaredScopeError');
    assert.match(err.message, /declares no task for scope "faces"/);
    return true;
  });
});

test('a changed task is learned at the next release; a report queued under the old one is withdrawn', async () => {
  const source = new TaskSource(memoryTaskCache());
  const old = report('photos', { name: 'privunit', epsilon: 1 });
  const stamp = await source.check(destination, old);
  assert.deepEqual(await source.round()(queued(old, stamp)), { kind: 'send' }, 'same version: sent');

  await redeclare(changed);
  await assert.rejects(source.check(destination, report('photos', { name: 'privunit', epsilon: 1 })), {
    name: 'TaskMismatchError',
  });
  const verdict = await source.round()(queued(old, stamp));
  assert.equal(verdict.kind, 'withdraw');
  assert.equal(verdict.kind === 'withdraw' && verdict.reason.name, 'TaskMismatchError');
  const fits = report('photos', { name: 'privunit', epsilon: 0.5 });
  assert.deepEqual(await source.round()(queued(fits, stamp)), { kind: 'send' }, 'a newer version it matches');

  await redeclare([{ scope: 'other', mechanism: 'privunit', epsilon: 1 }]);
  const gone = await source.round()(queued(fits, stamp));
  assert.equal(gone.kind === 'withdraw' && gone.reason.name, 'UndeclaredScopeError');
  await redeclare(before);
});

test('offline: a task read before serves; a scope never read is refused; queued reports wait', async () => {
  const source = new TaskSource(memoryTaskCache());
  const r = report('photos', { name: 'privunit', epsilon: 1 });
  const online = await source.check(destination, r);
  await collector.pause();
  try {
    assert.deepEqual(await source.check(destination, report('photos', { name: 'privunit', epsilon: 2 })), online);
    await assert.rejects(source.check(destination, report('photos', { name: 'privunit', epsilon: 3 })), {
      name: 'TaskMismatchError',
    });
    await assert.rejects(
      new TaskSource(memoryTaskCache()).check(destination, r),
      (err: Error & { details?: Record<string, unknown> }) => {
        assert.equal(err.name, 'UndeclaredScopeError');
        assert.match(err.message, /has been read from .* on this device, and it cannot be reached now/);
        assert.equal(err.details?.['offline'], true);
        return true;
      },
    );
    const verdict = await source.round()(queued(r, online));
    assert.equal(verdict.kind, 'wait');
  } finally {
    await collector.resume();
  }
  assert.deepEqual(await source.round()(queued(r, online)), { kind: 'send' });
});

test('each task URL is read once per flush round, however many reports wait on it', async () => {
  let reads = 0;
  const source = new TaskSource(memoryTaskCache(), (input, init) => {
    reads++;
    return fetch(input, init);
  });
  const r = report('photos', { name: 'privunit', epsilon: 1 });
  const stamp = await source.check(destination, r);
  reads = 0;
  const round = source.round();
  for (let i = 0; i < 5; i++) assert.deepEqual(await round(queued(r, stamp)), { kind: 'send' });
  assert.equal(reads, 1);
});

test('offline: a scope only ever seen in the whole declaration (GET /tasks) serves from it, same version', async () => {
  const source = new TaskSource(memoryTaskCache());
  const declared = await source.declared(destination);
  assert.ok(declared.fresh);
  await collector.pause();
  try {
    const stamp = await source.check(destination, report('photos', { name: 'privunit', epsilon: 1 }));
    assert.deepEqual(stamp, { url: tasksUrlOf(destination, 'photos'), version: declared.version });
    await assert.rejects(source.check(destination, report('photos', { name: 'privunit', epsilon: 3 })), {
      name: 'TaskMismatchError',
    });
    await assert.rejects(source.check(destination, report('faces', { name: 'privunit', epsilon: 1 })), {
      name: 'UndeclaredScopeError',
    });
  } finally {
    await collector.resume();
  }
});
