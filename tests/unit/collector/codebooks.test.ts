// The collector takes category reports only of codebooks it was given, with their k: real HTTP, real codebook files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector, type TestCollector } from '../../support/collector';
import { startCollectorProcess } from '../../support/collector-process';
import { formatCodebook, sealCodebook } from '../../../src/codebook/load-codebook';
import type { Codebook } from '../../../src/codebook/codebook-schema';
import { categoryTask, krrReport, oueReport, postReport, releasedReport, releasedTask } from './support';

let dir: string;
let collector: TestCollector;
let shirts: Codebook;

/** A small valid codebook of k labels for the model of support.ts's reports (4 values). */
function codebookOf(id: string, k: number): Promise<Codebook> {
  const row = (j: number) => Array.from({ length: 4 }, (_, i) => (i === j % 4 ? 1 : 0));
  return sealCodebook({
    v: 1,
    id,
    model: { id: 'mobilenet_v2', layer: 'global_average_pooling2d', dims: 4 },
    labels: Array.from({ length: k }, (_, j) => `label ${j}`),
    input: 'l2-normalized',
    classifier: { kind: 'nearest-centroid', centroids: Array.from({ length: k }, (_, j) => row(j)) },
  });
}

const TASKS = [
  categoryTask('known', 'krr', 1, 4, 'shirts-4'),
  categoryTask('known-oue', 'oue', 1, 4, 'shirts-4'),
  releasedTask('known-vector'),
  categoryTask('left', 'krr', 1, 4, 'shirts-4'),
  categoryTask('right', 'krr', 1, 4, 'shirts-4'),
  categoryTask('unknown', 'krr', 1, 4, 'shirts-4'),
  categoryTask('one-report', 'krr', 1, 4, 'shirts-4'),
  { ...categoryTask('wrong-k', 'krr', 1, 4, 'shirts-4'), k: undefined },
  { ...categoryTask('wrong-k-oue', 'oue', 1, 4, 'shirts-4'), k: undefined },
];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'obscura-codebooks-'));
  shirts = await codebookOf('shirts-4', 4);
  await writeFile(join(dir, 'shirts-4.json'), formatCodebook(shirts));
  await writeFile(join(dir, 'notes.txt'), 'not a codebook, and not read: only .json files are');
  collector = await startCollector({ codebooks: dir, tasks: TASKS });
});
after(async () => {
  await collector?.close();
  await rm(dir, { recursive: true, force: true });
});

async function refusal(res: Response): Promise<{ name: string; message: string; issues?: unknown }> {
  assert.equal(res.status, 400);
  return ((await res.json()) as { error: { name: string; message: string } }).error;
}

test('a category report of a known codebook with its k is stored; vector reports are unaffected', async () => {
  assert.equal((await postReport(collector.url, krrReport(2, 4, 1, 'known', 'shirts-4'))).status, 201);
  assert.equal((await postReport(collector.url, oueReport([0, 1, 0, 0], 1, 'known-oue', 'shirts-4'))).status, 201);
  assert.equal((await postReport(collector.url, releasedReport('known-vector'))).status, 201);
  assert.equal(await collector.count(), 3);
});

test('GET /compare names the categories with the labels of the codebook the collector knows', async () => {
  for (const [scope, value] of [
    ['left', 0],
    ['right', 3],
  ] as const)
    for (let i = 0; i < 3; i++)
      assert.equal((await postReport(collector.url, krrReport(value, 4, 1, scope, 'shirts-4'))).status, 201);
  const res = await fetch(`${collector.url}/compare?a.scope=left&b.scope=right`);
  const answer = (await res.json()) as { categories: { labels: string[] | null; key: { codebook: string } }[] };
  assert.equal(answer.categories.length, 1);
  assert.equal(answer.categories[0]!.key.codebook, 'shirts-4');
  assert.deepEqual(answer.categories[0]!.labels, shirts.labels);
});

test('GET /aggregates labels each share; one report: projected to 0–1, an exact interval, a warning', async () => {
  const scope = 'one-report';
  assert.equal((await postReport(collector.url, krrReport(1, 4, 1, scope, 'shirts-4'))).status, 201);
  type Share = { label: string; estimate: number; projected: number; interval: [number, number] };
  type Category = {
    count: number;
    frequencies: number[];
    ci95: [number, number][];
    labels: string[];
    shares: Share[];
    smallSample: boolean;
    minimumCount: number;
    warning: string | null;
  };
  const check = (g: Category) => {
    assert.equal(g.count, 1);
    assert.deepEqual(g.labels, shirts.labels);
    assert.deepEqual(
      g.shares.map((s) => s.label),
      shirts.labels,
    );
    assert.deepEqual(
      g.shares.map((s) => s.estimate),
      g.frequencies,
      'the unbiased estimates are the frequencies, as before',
    );
    assert.ok(g.frequencies[1]! > 1, `one k-RR report at ε = 1 estimates ${g.frequencies[1]}`);
    assert.deepEqual(
      g.shares.map((s) => s.projected),
      [0, 1, 0, 0],
    );
    for (const s of g.shares) assert.ok(0 <= s.interval[0] && s.interval[0] < s.interval[1] && s.interval[1] <= 1);
    assert.equal(g.ci95.length, 4, 'the normal intervals stay');
    assert.equal(g.smallSample, true);
    assert.ok(g.minimumCount > 1);
    assert.match(g.warning ?? '', /only 1 report/);
  };
  const totals = (await (await fetch(`${collector.url}/aggregates?scope=${scope}`)).json()) as {
    categories: Category[];
  };
  check(totals.categories[0]!);
  const since = new Date(Date.now() - 86_400_000).toISOString();
  const page = (await (await fetch(`${collector.url}/aggregates?scope=${scope}&bucket=day&since=${since}`)).json()) as {
    buckets: { categories: Category[] }[];
  };
  check(page.buckets[0]!.categories[0]!);
});

test('an unknown codebook id is refused: a task may not name it, and a report of it is not its task', async () => {
  const error = await refusal(await postReport(collector.url, krrReport(2, 4, 1, 'unknown', 'fmnist-10')));
  assert.equal(error.name, 'TaskMismatchError');
  assert.match(error.message, /codebook: expected "shirts-4", got "fmnist-10"/);
  assert.equal(await collector.count('unknown'), 0);
  await assert.rejects(startCollector({ codebooks: dir, tasks: [categoryTask('c', 'krr', 1, 4, 'fmnist-10')] }), {
    name: 'InvalidTaskError',
    message: /task 0 \("c"\): codebook: "fmnist-10" is not a codebook this collector knows; known: shirts-4/,
  });
  await assert.rejects(startCollector({ codebooks: dir, tasks: [categoryTask('c', 'krr', 1, 5, 'shirts-4')] }), {
    name: 'InvalidTaskError',
    message: /task 0 \("c"\): k: codebook "shirts-4" has 4 labels, the task states 5/,
  });
});

test("a k that is not the codebook's label count is refused, naming category.k", async () => {
  const error = await refusal(await postReport(collector.url, krrReport(2, 5, 1, 'wrong-k', 'shirts-4')));
  assert.equal(error.name, 'InvalidReportError');
  assert.match(error.message, /category\.k: codebook "shirts-4" has 4 labels, the report says k = 5/);
  assert.deepEqual(error.issues, [
    { path: 'category.k', message: 'codebook "shirts-4" has 4 labels, the report says k = 5' },
  ]);
  const oue = await refusal(await postReport(collector.url, oueReport([0, 1, 0], 1, 'wrong-k-oue', 'shirts-4')));
  assert.match(oue.message, /has 4 labels, the report says k = 3/);
  const report = krrReport(2, 4, 1, 'wrong-k', 'shirts-4');
  const model = await refusal(
    await postReport(collector.url, { ...report, model: { id: 'mobilenet_v2', layer: 'block_12_add', dims: 96 } }),
  );
  // The task's model is the codebook's (checked at start), so another model is not the task's.
  assert.equal(model.name, 'TaskMismatchError');
  assert.match(model.message, /model\.layer: expected "global_average_pooling2d", got "block_12_add"/);
  assert.equal(await collector.count('wrong-k'), 0);
});

test('main.ts --codebooks DIR: loaded at start, others refused; a broken file stops the start', async () => {
  const proc = await startCollectorProcess(['--memory', '--codebooks', dir], {}, [
    categoryTask('cli', 'krr', 1, 4, 'shirts-4'),
  ]);
  try {
    assert.equal((await postReport(proc.url, krrReport(1, 4, 1, 'cli', 'shirts-4'))).status, 201);
    assert.equal(
      (await refusal(await postReport(proc.url, krrReport(1, 4, 1, 'cli', 'other')))).name,
      'TaskMismatchError',
    );
  } finally {
    await proc.stop();
  }
  const broken = await mkdtemp(join(tmpdir(), 'obscura-codebooks-broken-'));
  try {
    await writeFile(join(broken, 'bad.json'), JSON.stringify({ ...shirts, labels: ['a', 'b', 'c', 'd'] }));
    await assert.rejects(
      startCollectorProcess(['--memory', '--codebooks', broken]),
      /bad\.json.*does not match its hash/s,
    );
    await assert.rejects(startCollector({ codebooks: broken }), { name: 'InvalidCodebookError' });
  } finally {
    await rm(broken, { recursive: true, force: true });
  }
});
