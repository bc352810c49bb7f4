// The collector's /dashboard in real Chromium against a real collector with a read token: the page
// asks for the token, keeps it for the tab, shows both scopes' category frequencies with their 95 %
// intervals under its strict CSP, and its CSV and NDJSON exports carry exactly the API's numbers.
// The reports are real k-RR releases of the privacy core over the demo codebook. Needs `npm run build`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { BucketPage } from '../../collector/buckets';
import type { CompareAnswer } from '../../collector/compare';
import { DEFAULT_DASHBOARD_DIR } from '../../collector/dashboard-route';
import { cryptoRandomSource, privatizeCategory } from '../../src/privacy/index';
import { buildCategoryReport } from '../../src/report/build-report';
import { startCollector, type TestCollector } from '../support/collector';
import { postReport, releasedReport, releasedTask } from '../unit/collector/support';
import { DEFAULT_CODEBOOKS_DIR } from '../../collector/codebooks';
import { hostScopeName } from '../../src/report/host-scope-name';
import { launchChromium } from './support/browser';
import { seriousA11yViolations } from './support/a11y';
import { capture } from './support/screenshots';
import { FASHION_MNIST_CLASSES } from '../../eval/fashion-classes';

const TOKEN = 'team-read-token';
const DAY_MS = 86_400_000;
const LABELS = FASHION_MNIST_CLASSES;
/** True categories per scope: each scope has its own mix, so their frequencies differ. */
const MIX: Record<string, number[]> = { 'shop-a': [0, 0, 1, 2, 3], 'shop-b': [7, 8, 9, 9, 5] };
const PER_DAY = 30;

let browser: Browser;
let collector: TestCollector;
let now = new Date(Date.now() - DAY_MS);

before(async () => {
  if (!existsSync(join(DEFAULT_DASHBOARD_DIR, 'dashboard.js')))
    throw new Error(`${DEFAULT_DASHBOARD_DIR} is missing: run npm run build first`);
  collector = await startCollector({
    readToken: TOKEN,
    clock: () => now,
    tasks: Object.keys(MIX).map((scope) => ({
      scope,
      mechanism: 'krr',
      epsilon: 2,
      codebook: 'fashion-10',
      k: 10,
    })),
  });
  // Yesterday's reports, then today's: two day buckets per scope.
  for (const at of [Date.now() - DAY_MS, Date.now()]) {
    now = new Date(at);
    const reports = Object.entries(MIX).flatMap(([scope, mix]) =>
      Array.from({ length: PER_DAY }, (_, i) =>
        buildCategoryReport(
          privatizeCategory(mix[i % mix.length]!, { name: 'krr', epsilon: 2, k: 10 }, cryptoRandomSource),
          'fashion-10',
          {
            scope,
            model: { id: 'mobilenet_v2', layer: 'block_12_add', dims: 96 },
            projection: null,
            source: cryptoRandomSource,
          },
        ),
      ),
    );
    const answers = await Promise.all(reports.map((r) => postReport(collector.url, r)));
    assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([201]));
  }
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await collector?.close();
});

/** Minimal RFC 4180 reader (quoted cells, doubled quotes, CRLF). */
function parseCsv(text: string): Record<string, string>[] {
  const records: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') ((cell += '"'), i++);
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') (row.push(cell), (cell = ''));
    else if (c === '\n') (row.push(cell), records.push(row), (row = []), (cell = ''));
    else if (c !== '\r') cell += c;
  }
  const [head, ...body] = records;
  return body.map((r) => Object.fromEntries(head!.map((h, i) => [h, r[i] ?? ''])));
}

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${collector.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.status, 200, path);
  return (await res.json()) as T;
}

/** Expected export rows, from the API's own answer for the range the page shows. */
async function expectedRows(page: Page): Promise<Map<string, Record<string, number | string | null>>> {
  const since = `${await page.inputValue('#since')}T00:00:00Z`;
  const until = `${await page.inputValue('#until')}T00:00:00Z`;
  const answer = await api<BucketPage>(`/aggregates?bucket=day&since=${since}&until=${until}&limit=1000`);
  assert.equal(answer.next, null);
  const out = new Map<string, Record<string, number | string | null>>();
  for (const b of answer.buckets)
    for (const g of b.categories)
      g.frequencies.forEach((f, v) => {
        out.set(`${g.key.scope} ${b.start} ${v}`, {
          count: g.count,
          label: LABELS[v]!,
          frequency: f,
          standardError: g.standardErrors[v]!,
          ci95Low: g.ci95[v]![0],
          ci95High: g.ci95[v]![1],
        });
      });
  return out;
}

test('the dashboard asks for the token, shows both scopes with intervals, exports the API numbers', async (t) => {
  const started = performance.now();
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => void (m.type() === 'error' && problems.push(m.text())));
  page.on('pageerror', (e) => void problems.push(e.message));

  const res = await page.goto(`${collector.url}/dashboard`);
  assert.equal(res?.status(), 200, 'the page itself needs no token');
  assert.match(res!.headers()['content-security-policy'] ?? '', /script-src 'self'/);

  // 401 from the API: the page asks; a wrong token is refused and asked again.
  await page.locator('#token-form').waitFor({ state: 'visible' });
  await page.fill('#token', 'wrong-token');
  await page.click('#token-form button[type=submit]');
  await page.getByText('The collector refused that token').waitFor();
  await page.fill('#token', TOKEN);
  await page.click('#token-form button[type=submit]');
  await page.locator('#scopes-table tbody tr').nth(1).waitFor();
  assert.equal(await page.isHidden('#token-form'), true);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('obscura.dashboard.readToken')), TOKEN);

  // Scopes with their report counts, as unscoped GET /aggregates gives them.
  const rows = await page.$$eval('#scopes-table tbody tr', (trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll('th, td')).map((c) => c.textContent)),
  );
  assert.deepEqual(rows, [
    ['shop-a', String(2 * PER_DAY), String(2 * PER_DAY), '1'],
    ['shop-b', String(2 * PER_DAY), String(2 * PER_DAY), '1'],
  ]);

  // Each scope: two day buckets, the latest open with the codebook's labels and one interval per category.
  const expected = await expectedRows(page);
  for (const scope of Object.keys(MIX)) {
    const section = page.locator(`section.scope[data-scope="${scope}"]`);
    assert.equal(await section.locator('details.bucket').count(), 2, scope);
    assert.equal(await section.locator('.counts-table tbody tr').count(), 2, scope);
    const open = section.locator('details.bucket[open]');
    assert.equal(await open.locator('svg .ci').count(), 10, `${scope}: an interval per category`);
    const shown = await open
      .locator('.frequency-table tbody tr')
      .evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('th, td')).map((c) => c.textContent ?? '')));
    const start = await open.getAttribute('data-start');
    shown.forEach(([label, estimate, ci], v) => {
      const e = expected.get(`${scope} ${start} ${v}`)!;
      assert.equal(label, LABELS[v]);
      assert.equal(estimate, (e['frequency'] as number).toFixed(3));
      assert.equal(ci, `[${(e['ci95Low'] as number).toFixed(3)}, ${(e['ci95High'] as number).toFixed(3)}]`);
    });
  }
  const shot = await capture(page, 'collector-dashboard');
  t.diagnostic(`screenshot ${shot.path}`);
  assert.ok(shot.stdev > 5, 'the screenshot shows something');

  // CSV and NDJSON downloads: every (scope, bucket, category) once, every number the API's own.
  const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const csv = parseCsv(await readFile((await csvDownload.path())!, 'utf8'));
  assert.equal(csv.length, expected.size);
  for (const r of csv) {
    const e = expected.get(`${r['scope']} ${r['bucketStart']} ${r['category']}`);
    assert.ok(e, `unexpected row ${JSON.stringify(r)}`);
    for (const field of ['count', 'label', 'frequency', 'standardError', 'ci95Low', 'ci95High'])
      assert.equal(r[field], String(e[field]), `${field} of ${JSON.stringify(r)}`);
    assert.equal(r['codebook'], 'fashion-10');
  }
  const [ndDownload] = await Promise.all([page.waitForEvent('download'), page.click('#export-ndjson')]);
  const nd = (await readFile((await ndDownload.path())!, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(nd.length, expected.size);
  for (const r of nd) {
    const e = expected.get(`${r['scope']} ${r['bucketStart']} ${r['category']}`)!;
    for (const field of ['count', 'label', 'frequency', 'standardError', 'ci95Low', 'ci95High'])
      assert.equal(r[field], e[field], field);
  }

  // Two scopes over the range: the page's table and its CSV are the API's /compare answer.
  const since = `${await page.inputValue('#since')}T00:00:00Z`;
  const until = `${await page.inputValue('#until')}T00:00:00Z`;
  await page.click('#compare-form button[type=submit]');
  await page.locator('#compare-result table.compare-categories').waitFor();
  const compared = await api<CompareAnswer>(
    `/compare?a.scope=shop-a&b.scope=shop-b&a.since=${since}&a.until=${until}&b.since=${since}&b.until=${until}`,
  );
  const differences = compared.categories[0]!.differences;
  const shownDifferences = await page.$$eval('#compare-result table.compare-categories tbody tr', (trs) =>
    trs.map((tr) => [tr.querySelector('th')!.textContent, tr.querySelectorAll('td')[4]!.textContent]),
  );
  assert.deepEqual(
    shownDifferences,
    differences.map((d, v) => [LABELS[v], d.difference.toFixed(3)]),
  );
  const [compareCsv] = await Promise.all([page.waitForEvent('download'), page.click('#export-compare-csv')]);
  const comparison = parseCsv(await readFile((await compareCsv.path())!, 'utf8'));
  const categoryRows = comparison.filter((r) => r['kind'] === 'category');
  assert.equal(categoryRows.length, 10);
  categoryRows.forEach((r, v) => {
    const a = compared.categories[0]!.a;
    assert.equal(r['label'], LABELS[v]);
    assert.equal(r['aFrequency'], String(a.frequencies[v]));
    assert.equal(r['aCi95Low'], String(a.ci95[v]![0]));
    assert.equal(r['difference'], String(differences[v]!.difference));
    assert.equal(r['differenceCi95High'], String(differences[v]!.ci95[1]));
    assert.equal(r['pValue'], String(differences[v]!.pValue));
  });
  const testRow = comparison.find((r) => r['kind'] === 'category-test')!;
  assert.equal(testRow['statistic'], String(compared.categories[0]!.test.statistic));
  assert.equal(testRow['pValue'], String(compared.categories[0]!.test.pValue));

  // Two buckets of one scope: yesterday against today.
  await page.check('input[name=mode][value=buckets]');
  await page.selectOption('#compare-scope', 'shop-b');
  await page.click('#compare-form button[type=submit]');
  await page.getByText(/^A: shop-b, \d{4}-\d{2}-\d{2} to/).waitFor();
  assert.equal(await page.locator('#compare-result table.compare-categories tbody tr').count(), 10);
  const shotCompare = await capture(page, 'collector-dashboard-compare');
  t.diagnostic(`screenshot ${shotCompare.path}`);

  // Hour buckets: the same reports, one hour each day.
  await page.selectOption('#bucket', 'hour');
  await page.click('#controls button[type=submit]');
  await page.getByText(/hours with reports/).waitFor();
  assert.equal(await page.locator('section.scope[data-scope="shop-a"] .counts-table tbody tr').count(), 2);

  // The token lasts for the tab: a reload shows the data without asking.
  await page.reload();
  await page.locator('#scopes-table tbody tr').nth(1).waitFor();
  assert.equal(await page.isHidden('#token-form'), true);

  assert.deepEqual(await seriousA11yViolations(page), []);
  // The 401s the page handled are the only errors Chromium logged: no CSP refusal, no script error.
  assert.deepEqual(
    problems.filter((p) => !/status of 401/.test(p)),
    [],
  );
  t.diagnostic(`dashboard test took ${((performance.now() - started) / 1000).toFixed(1)} s`);
  await context.close();
});

test('widget scopes by origin; one report: a warning, apart ticks; a vector scope by its codebook', async () => {
  const widgetScope = hostScopeName('https://shop.example', 'default');
  const krr = { name: 'krr', epsilon: 1, k: 10 } as const;
  const own = await startCollector({
    codebooks: DEFAULT_CODEBOOKS_DIR,
    tasks: [releasedTask(widgetScope, krr), releasedTask('photos')],
  });
  try {
    assert.equal((await postReport(own.url, releasedReport(widgetScope, krr))).status, 201);
    for (let i = 0; i < 20; i++) assert.equal((await postReport(own.url, releasedReport('photos'))).status, 201);
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${own.url}/dashboard`);
    await page.locator('#scopes-table tbody tr').nth(1).waitFor();
    const names = await page.$$eval('#scopes-table tbody th', (ths) => ths.map((th) => th.textContent));
    assert.deepEqual(names, ['photos', 'default (widget on https://shop.example)']);

    // One report: the shares come with the warning; the chart's ticks, one per round value, never touch.
    const widget = page.locator(`section.scope[data-scope="${widgetScope}"]`);
    assert.match(await widget.locator('.warning').innerText(), /only 1 report/);
    const ticks = await widget.locator('details.bucket[open] svg text.tick').evaluateAll((texts) =>
      texts.map((t) => {
        const box = (t as SVGGraphicsElement).getBoundingClientRect();
        return { text: t.textContent, left: box.left, right: box.right };
      }),
    );
    assert.deepEqual(
      ticks.map((t) => t.text),
      ['0', '0.5', '1'],
      'projected shares and exact intervals stay within 0–1',
    );
    ticks.slice(1).forEach((t, i) => assert.ok(t.left > ticks[i]!.right, `${ticks[i]!.text} touches ${t.text}`));

    // The vector scope: its mean against each label of the demo codebook, not its counts alone.
    const vectors = page.locator('section.scope[data-scope="photos"] figure.similarity[data-codebook="fashion-10"]');
    const labels = await vectors.locator('.similarity-table tbody th').allTextContents();
    assert.deepEqual(labels, [...LABELS]);
    assert.deepEqual(await seriousA11yViolations(page), []);
    await context.close();
  } finally {
    await own.close();
  }
});
