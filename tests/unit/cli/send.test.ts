// obscura send: every report stored exactly once through a collector that fails a third of the requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector } from '../../support/collector';
import { fetchTasks, tasksEndpoint } from '../../../src/cli/collector-tasks';
import { deliverReport } from '../../../src/cli/deliver-report';
import { parseRetryAfter } from '../../../src/outbox/delivery';
import { privatizeCategory } from '../../../src/privacy/mechanism';
import { cryptoRandomSource } from '../../../src/privacy/random/random-source';
import { buildCategoryReport } from '../../../src/report/build-report';
import { privatizeFeatures } from '../../../src/report/privatize-features';
import type { Report } from '../../../src/report/schema';
import { cli } from './support';
import { FAILURES, startFailingProxy } from './failing-proxy';

const MODEL = { id: 'mobilenet_v2', layer: 'block_12_add', dims: 96 };
/** The scopes the reports below go to; the collector has no codebook folder, so the k-RR tasks state k. */
const TASKS = [
  { scope: 'wardrobe', mechanism: 'krr', epsilon: 2, codebook: 'fashion-10', k: 10 },
  { scope: 'elsewhere', mechanism: 'krr', epsilon: 2, codebook: 'fashion-10', k: 10 },
  { scope: 'faces', mechanism: 'privunit', epsilon: 4 },
] as const;

function categoryReport(value: number, scope = 'wardrobe'): Report {
  const release = privatizeCategory(value, { name: 'krr', epsilon: 2, k: 10 }, cryptoRandomSource);
  return buildCategoryReport(release, 'fashion-10', {
    scope,
    model: MODEL,
    projection: null,
    source: cryptoRandomSource,
  });
}

function vectorReport(i: number, scope = 'faces'): Report {
  const clean = Array.from({ length: 96 }, (_, j) => Math.abs(Math.sin(i + j)));
  return privatizeFeatures(clean, MODEL, { mechanism: { name: 'privunit', epsilon: 4 }, scope }, cryptoRandomSource);
}

function runBin(args: string[], stdinFile: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(process.cwd(), 'bin', 'obscura'), args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    createReadStream(stdinFile).pipe(child.stdin);
  });
}

test('send: 2 000 reports through a collector failing a third of the requests, each stored exactly once', async () => {
  const collector = await startCollector({ port: 0, inMemory: true, tasks: TASKS });
  const proxy = await startFailingProxy(collector.url, { failRate: 1 / 3, seed: 14 });
  try {
    const reports = Array.from({ length: 2000 }, (_, i) => (i % 2 ? categoryReport(i % 10) : vectorReport(i)));
    const dir = await mkdtemp(join(tmpdir(), 'obscura-send-'));
    const file = join(dir, 'reports.jsonl');
    await writeFile(file, reports.map((r) => JSON.stringify(r) + '\n').join(''));
    // 30 attempts: a report fails them all with probability 3^-30, so the run never gives up on one.
    const { code, stdout, stderr } = await runBin(
      ['send', '--collector', proxy.url, '--backoff-base', '1', '--max-attempts', '30'],
      file,
    );
    assert.equal(code, 0, stderr.slice(-2000));
    const summary = JSON.parse(stdout) as Record<string, unknown>;
    const failures = FAILURES.reduce((s, f) => s + proxy.counts[f], 0);
    // Injected failures were about a third of all requests (seeded draw; loose bounds).
    assert.ok(failures / proxy.counts.requests > 0.28 && failures / proxy.counts.requests < 0.39, `${failures}`);
    for (const f of FAILURES) assert.ok(proxy.counts[f] > 50, `${f}: ${proxy.counts[f]}`);
    assert.equal(summary['retries'], failures, 'every injected failure was retried, nothing else');
    // A report stored before its answer was lost comes back as a duplicate on the retry.
    assert.equal((summary['sent'] as number) + (summary['duplicates'] as number), 2000);
    assert.ok((summary['duplicates'] as number) > 0);
    assert.deepEqual(summary['rejected'], { count: 0, reasons: [] });
    assert.deepEqual(summary['failed'], { count: 0, reasons: [] });
    assert.equal(await collector.count(), 2000);
    assert.deepEqual((await collector.ids()).sort(), reports.map((r) => r.id).sort());
    assert.match(stderr, /\[2000\/2000\] sent \d+, duplicates \d+, rejected 0, failed 0, invalid 0, retries \d+/);
  } finally {
    await proxy.close();
    await collector.close();
  }
});

test('send: duplicates, a refused report (409) and bad lines counted with reasons; --scope skips others', async () => {
  const collector = await startCollector({ port: 0, inMemory: true, tasks: TASKS });
  try {
    const a = categoryReport(3);
    const conflicting = {
      ...a,
      category: {
        ...(a as { category: object }).category,
        value: (a as { category: { value: number } }).category.value === 0 ? 1 : 0,
      },
    };
    const other = categoryReport(4, 'elsewhere');
    const c = categoryReport(5);
    const lines = [
      JSON.stringify(a),
      JSON.stringify(a),
      JSON.stringify(conflicting),
      JSON.stringify(other),
      'not json',
      JSON.stringify({ file: 'c.png', model: MODEL, report: c }),
      JSON.stringify({ file: 'd.png', error: { name: 'DecodeError', message: 'truncated' } }),
      '',
    ].join('\n');
    const { status, lines: out } = await cli(
      ['send', '--collector', collector.url, '--scope', 'wardrobe', '--concurrency', '1', '--backoff-base', '1'],
      lines,
    );
    assert.equal(status, 1);
    const summary = out[0]!;
    assert.equal(summary['sent'], 2);
    assert.equal(summary['duplicates'], 1);
    assert.equal(summary['skipped'], 1);
    assert.equal(summary['retries'], 0, 'a 409 is final');
    const rejected = summary['rejected'] as {
      count: number;
      reasons: { line: number; id: string; status: number; error: { name: string } }[];
    };
    assert.equal(rejected.count, 1);
    assert.deepEqual(
      { ...rejected.reasons[0]!, error: rejected.reasons[0]!.error.name },
      { line: 3, id: a.id, status: 409, error: 'ReportConflictError' },
    );
    const invalid = summary['invalid'] as { count: number; reasons: { line: number; error: { message: string } }[] };
    assert.deepEqual(
      invalid.reasons.map((r) => [r.line, r.error.message]),
      [
        [5, 'the line is not JSON'],
        [7, 'the line is an error, not a report'],
      ],
    );
    assert.deepEqual((await collector.ids()).sort(), [a.id, c.id].sort());
  } finally {
    await collector.close();
  }
});

test("send: a report its scope's task does not allow is refused before sending, naming the field", async () => {
  const collector = await startCollector({ port: 0, inMemory: true, tasks: TASKS });
  try {
    const honest = vectorReport(1);
    const otherEpsilon = privatizeFeatures(
      Array.from({ length: 96 }, (_, j) => Math.sin(j)),
      MODEL,
      { mechanism: { name: 'privunit', epsilon: 3 }, scope: 'faces' },
      cryptoRandomSource,
    );
    const undeclared = vectorReport(2, 'nowhere');
    const { status, lines: out } = await cli(
      ['send', '--collector', collector.url, '--concurrency', '1'],
      [honest, otherEpsilon, undeclared].map((r) => JSON.stringify(r)).join('\n'),
    );
    assert.equal(status, 1);
    const summary = out[0]!;
    assert.equal(summary['sent'], 1);
    const invalid = summary['invalid'] as { count: number; reasons: { line: number; id: string; error: Error }[] };
    assert.deepEqual(
      invalid.reasons.map((r) => [r.line, r.id, r.error.name]),
      [
        [2, otherEpsilon.id, 'TaskMismatchError'],
        [3, undeclared.id, 'UndeclaredScopeError'],
      ],
    );
    assert.match(invalid.reasons[0]!.error.message, /epsilon: expected 4, got 3/);
    // Neither left: the collector holds the honest report only.
    assert.deepEqual(await collector.ids(), [honest.id]);
  } finally {
    await collector.close();
  }
  // A collector that declares no tasks (here: no /tasks at all) gets nothing: exit 2, naming it.
  const { status, stderr } = await cli(['send', '--collector', 'http://127.0.0.1:9/none', '--max-attempts', '1'], '');
  assert.equal(status, 2);
  assert.match(
    stderr,
    /InvalidTaskError: http:\/\/127\.0\.0\.1:9\/none\/tasks: the collector's tasks could not be read/,
  );
});

test('429 waits what Retry-After asks (seconds or a date); 5xx and network errors back off', async () => {
  const collector = await startCollector({ port: 0, inMemory: true, tasks: TASKS });
  const plan = ['status-429', 'status-503', 'drop', undefined] as const;
  const proxy = await startFailingProxy(collector.url, { plan: (n) => plan[n], retryAfter: '7' });
  try {
    const waits: number[] = [];
    const reasons: string[] = [];
    const outcome = await deliverReport(categoryReport(1), {
      endpoint: `${proxy.url}/reports`,
      maxAttempts: 5,
      backoffBaseMs: 100,
      backoffCapMs: 60_000,
      timeoutMs: 10_000,
      sleep: async (ms) => void waits.push(ms),
      random: { fillUint32: (words) => words.fill(2 ** 31) },
      onRetry: (reason) => reasons.push(reason),
    });
    assert.deepEqual(outcome, { kind: 'stored', attempts: 4 });
    // Retry-After 7 s; then full jitter at 0.5 over 100·2 and 100·4 ms.
    assert.deepEqual(waits, [7000, 100, 200]);
    assert.deepEqual(reasons.slice(0, 2), ['HTTP 429', 'HTTP 503']);
    assert.equal(await collector.count(), 1);
  } finally {
    await proxy.close();
    await collector.close();
  }
  const now = Date.parse('2026-11-23T10:00:00Z');
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter('Mon, 23 Nov 2026 10:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Mon, 23 Nov 2026 09:00:00 GMT', now), 0);
  assert.equal(parseRetryAfter('-1', now), undefined);
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter(null, now), undefined);
});

test('a 503 with Retry-After waits what it asks, for a report and for the tasks alike', async () => {
  const collector = await startCollector({ port: 0, inMemory: true, tasks: TASKS });
  const plan = ['status-503', undefined, 'status-503', undefined] as const;
  const proxy = await startFailingProxy(collector.url, { plan: (n) => plan[n], retryAfter503: '9' });
  try {
    const waits: number[] = [];
    const options = {
      maxAttempts: 3,
      backoffBaseMs: 100,
      backoffCapMs: 60_000,
      timeoutMs: 10_000,
      sleep: async (ms: number) => void waits.push(ms),
    };
    const tasks = await fetchTasks(tasksEndpoint(`${proxy.url}/reports`), options);
    assert.equal(tasks.length, TASKS.length);
    const outcome = await deliverReport(categoryReport(2), { ...options, endpoint: `${proxy.url}/reports` });
    assert.deepEqual(outcome, { kind: 'stored', attempts: 2 });
    assert.deepEqual(waits, [9000, 9000]);
  } finally {
    await proxy.close();
    await collector.close();
  }
});

test('send: bad flags are typed errors', async () => {
  for (const [flags, message] of [
    [[], /--collector URL is required/],
    [['--collector', 'ftp://x'], /--collector must be an http\(s\) URL/],
    [['--collector', 'http://127.0.0.1:1', '--concurrency', '0'], /--concurrency must be an integer from 1 to 256/],
  ] as const) {
    const { status, stderr } = await cli(['send', ...flags], '');
    assert.equal(status, 2);
    assert.match(stderr, /InvalidParameterError/);
    assert.match(stderr, message);
  }
});
