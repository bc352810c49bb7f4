// GET /dashboard's server side over real HTTP (the page's files, its CSP, the codebooks' labels,
// the answers when it is not built or asked wrongly) and the page's pure parts: the export rows and
// their CSV / NDJSON text carry the API's numbers unchanged. The page in a browser: tests/e2e.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { Hono } from 'hono';
import { nodeListener } from '../../../server-kit/index';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Aggregates as CollectorAggregates } from '../../../collector/group-estimates';
import type { BucketPage as CollectorBucketPage } from '../../../collector/buckets';
import { compareTotals, type CompareAnswer } from '../../../collector/compare';
import type { GroupTotals } from '../../../collector/group-estimates';
import { DEFAULT_CODEBOOKS_DIR, loadCodebookDir } from '../../../collector/codebooks';
import { DASHBOARD_CSP, loadDashboard, type Dashboard } from '../../../collector/dashboard-route';
import { summarizeScopes, type Loaded } from '../../../collector/dashboard/data';
import { toCsv, toNdjson } from '../../../collector/dashboard/export';
import {
  COMPARISON_COLUMNS,
  comparisonRows,
  FREQUENCY_COLUMNS,
  frequencyRows,
} from '../../../collector/dashboard/rows';
import type { Aggregates, BucketPage, Comparison } from '../../../collector/dashboard/wire';

// The page's view of the answers must accept what the collector sends (a compile-time check).
const pageReadsAggregates = (a: CollectorAggregates): Aggregates => a;
const pageReadsBuckets = (p: CollectorBucketPage): BucketPage => p;
const pageReadsComparisons = (c: CompareAnswer): Comparison => c;
void [pageReadsAggregates, pageReadsBuckets, pageReadsComparisons];

let dir: string;
let server: Server;
let base: string;
const HOSTS = new Set<string>();

async function serving(dashboard: Dashboard): Promise<void> {
  server?.close();
  const app = new Hono().all('*', (c) => dashboard.serve(c, HOSTS));
  server = createServer(nodeListener(app.fetch));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  HOSTS.clear();
  HOSTS.add(`127.0.0.1:${port}`);
  base = `http://127.0.0.1:${port}`;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'obscura-dashboard-'));
  await mkdir(join(dir, 'page'));
  await mkdir(join(dir, 'codebooks'));
  for (const [name, text] of Object.entries({
    'index.html': '<!doctype html><title>d</title>',
    'dashboard.js': 'void 0;',
    'dashboard.css': 'body{}',
    'favicon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
  }))
    await writeFile(join(dir, 'page', name), text);
  await copyFile(join(DEFAULT_CODEBOOKS_DIR, 'fashion-10.json'), join(dir, 'codebooks', 'fashion-10.json'));
  await writeFile(join(dir, 'codebooks', 'broken.json'), '{"v": 1, "id": "broken"}');
});
after(async () => {
  server?.close();
  await rm(dir, { recursive: true, force: true });
});

test('the page and its files are served with a strict CSP, and the codebooks with their labels only', async () => {
  const dashboard = await loadDashboard({ dir: join(dir, 'page'), codebooksDir: join(dir, 'codebooks') });
  assert.equal(dashboard.built, true);
  await serving(dashboard);
  for (const [path, type] of [
    ['/dashboard', 'text/html'],
    ['/dashboard/', 'text/html'],
    ['/dashboard/dashboard.js', 'text/javascript'],
    ['/dashboard/dashboard.css', 'text/css'],
  ] as const) {
    const res = await fetch(base + path);
    assert.equal(res.status, 200, path);
    assert.match(res.headers.get('content-type')!, new RegExp(type), path);
    assert.equal(res.headers.get('content-security-policy'), DASHBOARD_CSP);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  }
  assert.match(DASHBOARD_CSP, /script-src 'self'(;|$)/);
  assert.doesNotMatch(DASHBOARD_CSP, /unsafe-inline|unsafe-eval/);
  const res = await fetch(`${base}/dashboard/codebooks.json`);
  const { codebooks } = (await res.json()) as { codebooks: Record<string, unknown>[] };
  // The broken file is skipped; the valid one gives its id, hash and labels, never its classifier.
  assert.deepEqual(
    codebooks.map((c) => Object.keys(c).sort()),
    [['hash', 'id', 'labels']],
  );
  assert.equal(codebooks[0]!['id'], 'fashion-10');
  assert.equal((codebooks[0]!['labels'] as string[])[0], 'T-shirt/top');
});

test('unknown files are 404, writes 405, foreign Host names 403, and a missing build 503 naming the fix', async () => {
  await serving(await loadDashboard({ dir: join(dir, 'page'), codebooksDir: join(dir, 'codebooks') }));
  for (const path of ['/dashboard/..%2fpackage.json', '/dashboard/main.ts', '/dashboardx'])
    assert.equal((await fetch(base + path)).status, 404, path);
  const post = await fetch(`${base}/dashboard`, { method: 'POST', body: 'x' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET, HEAD');
  HOSTS.clear();
  HOSTS.add('collector.example:80');
  assert.equal((await fetch(`${base}/dashboard`)).status, 403);

  await serving(await loadDashboard({ dir: join(dir, 'nothing-here'), codebooksDir: join(dir, 'none') }));
  const missing = await fetch(`${base}/dashboard`);
  assert.equal(missing.status, 503);
  const body = (await missing.json()) as { error: { name: string; message: string } };
  assert.equal(body.error.name, 'DashboardNotBuiltError');
  assert.match(body.error.message, /npm run build/);
  const labels = (await (await fetch(`${base}/dashboard/codebooks.json`)).json()) as { codebooks: unknown[] };
  assert.deepEqual(labels.codebooks, []);
});

test('export rows keep every number as the API gave it; CSV and NDJSON read back to the same doubles', () => {
  // Values whose shortest text is long, and one outside [0, 1] (unbiased estimates may be).
  const frequencies = [0.1 + 0.2, -0.041666666666666664, 1 / 3];
  const standardErrors = [0.07071067811865477, 0.123456789012345, null];
  // As the collector computes them (z = 1.959963984540054); JSON turns ±Infinity into null.
  const ci95 = frequencies.map((f, i) =>
    standardErrors[i] === null
      ? ([null, null] as const)
      : ([f - 1.959963984540054 * standardErrors[i]!, f + 1.959963984540054 * standardErrors[i]!] as const),
  );
  const key = {
    scope: 'a,"b"',
    model: 'mobilenet_v2/block_12_add/96',
    projection: null,
    mechanism: 'krr',
    epsilon: 2,
    delta: 0,
    clip: null,
    codebook: 'other',
    k: 3,
  };
  const loaded: Loaded = {
    scopes: summarizeScopes({
      vectors: [],
      categories: [{ key, count: 7, frequencies, standardErrors, ci95 }],
      failed: [],
    }),
    bucket: 'day',
    since: '2026-12-01T00:00:00Z',
    until: '2026-12-02T00:00:00Z',
    buckets: [
      {
        start: '2026-12-01T00:00:00Z',
        end: '2026-12-02T00:00:00Z',
        vectors: [],
        categories: [{ key, count: 7, frequencies, standardErrors, ci95 }],
        failed: [],
      },
    ],
    codebooks: [{ id: 'fashion-10', hash: 'sha256:x', labels: ['x', 'y', 'z'] }],
  };
  assert.deepEqual(loaded.scopes, [{ scope: 'a,"b"', reports: 7, groups: 1 }]);
  const rows = frequencyRows(loaded);
  assert.equal(rows.length, 3);
  // An unknown codebook: categories are named by their index.
  assert.deepEqual(
    rows.map((r) => r['label']),
    ['0', '1', '2'],
  );
  assert.equal(rows[0]!['ci95Low'], ci95[0]![0]);
  assert.equal(rows[2]!['ci95Low'], null, 'no interval without a standard error');

  const csv = toCsv(rows, FREQUENCY_COLUMNS).split('\r\n');
  assert.equal(csv[0], FREQUENCY_COLUMNS.join(','));
  assert.ok(csv[1]!.startsWith('"a,""b""",day,'), csv[1]);
  const cells = csv[1]!.slice('"a,""b""",'.length).split(',');
  const at = (c: string) => cells[FREQUENCY_COLUMNS.indexOf(c as never) - 1]!;
  assert.equal(Number(at('frequency')), frequencies[0]);
  assert.equal(at('frequency'), '0.30000000000000004');
  assert.equal(Number(at('ci95High')), ci95[0]![1]);
  assert.equal(csv[3]!.split(',').at(-1), '', 'a missing interval is an empty cell');

  const nd = toNdjson(rows, FREQUENCY_COLUMNS)
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(Object.keys(nd[0]!), [...FREQUENCY_COLUMNS]);
  nd.forEach((r, i) => {
    assert.equal(r['frequency'], frequencies[i]);
    assert.equal(r['standardError'], standardErrors[i]);
  });
});

test('comparison rows carry every number of a real /compare answer, categories by label, vectors by coordinate', () => {
  const base = { model: 'm/l/3', projection: null, epsilon: 2, delta: 0, clip: null };
  const category = (scope: string, counts: number[]): GroupTotals => ({
    group: {
      id: `c-${scope}`,
      scope,
      kind: 'category',
      size: 3,
      key: { ...base, scope, mechanism: 'krr', codebook: 'cb', k: 3 },
      mechanism: { name: 'krr', epsilon: 2, delta: 0 },
    },
    count: counts.reduce((x, y) => x + y, 0),
    sums: counts,
    squares: null,
  });
  const vector = (scope: string, sums: number[]): GroupTotals => ({
    group: {
      id: `v-${scope}`,
      scope,
      kind: 'vector',
      size: 3,
      key: { ...base, scope, mechanism: 'privunit' },
      mechanism: { name: 'privunit', epsilon: 2, delta: 0, scale: 3 },
    },
    count: 10,
    sums,
    squares: [30, 31, 32],
  });
  const query = { a: { scope: 'A', since: null, until: null }, b: { scope: 'B', since: null, until: null } };
  const answer = compareTotals(
    query,
    [category('A', [20, 5, 5]), vector('A', [3, 1, -2])],
    [category('B', [8, 12, 10]), vector('B', [1, 2, 0])],
  );
  const parsed = JSON.parse(JSON.stringify(answer)) as Comparison;
  const rows = comparisonRows(parsed, [{ id: 'cb', hash: 'sha256:x', labels: ['cat', 'dog', 'owl'] }]);
  const kinds = rows.map((r) => r['kind']);
  assert.deepEqual(kinds, [
    'category',
    'category',
    'category',
    'category-test',
    'vector',
    ...Array(3).fill('vector-coordinate'),
  ]);
  const c = parsed.categories[0]!;
  rows.slice(0, 3).forEach((r, v) => {
    assert.equal(r['label'], ['cat', 'dog', 'owl'][v]);
    assert.equal(r['aFrequency'], c.a.frequencies[v]);
    assert.equal(r['bCi95High'], c.b.ci95[v]![1]);
    assert.equal(r['difference'], c.differences[v]!.difference);
    assert.equal(r['pValue'], c.differences[v]!.pValue);
  });
  assert.equal(rows[3]!['statistic'], c.test.statistic);
  assert.equal(rows[3]!['df'], c.test.df);
  const vec = parsed.vectors[0]!;
  assert.equal(rows[4]!['cosineCorrected'], vec.cosine!.corrected);
  assert.equal(rows[4]!['aNormSquared'], vec.a.normSquared!.estimate);
  assert.equal(rows[6]!['difference'], vec.difference!.mean[1]);
  assert.equal(rows[6]!['differenceCi95Low'], vec.difference!.ci95[1]![0]);
  // The CSV reads back to the same doubles.
  const csv = toCsv(rows, COMPARISON_COLUMNS).split('\r\n');
  const diff = csv[1]!.split(',')[COMPARISON_COLUMNS.indexOf('difference')]!;
  assert.equal(Number(diff), c.differences[0]!.difference);
});

test('given the checked codebooks of the collector, the page gets their labels and reads no folder', async () => {
  const registry = await loadCodebookDir(DEFAULT_CODEBOOKS_DIR);
  const dashboard = await loadDashboard({ dir: join(dir, 'page'), codebooks: registry, codebooksDir: '/nonexistent' });
  assert.ok(registry.size >= 1);
  assert.deepEqual(
    dashboard.codebooks,
    [...registry.values()].map((known) => ({ id: known.id, hash: known.hash, labels: known.labels })),
  );
});
