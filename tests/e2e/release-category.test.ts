// Category release through the library's release worker: the codebook labels the clean
// vector in the worker, k-RR or OUE randomizes it, and only that leaves, to a real collector
// that knows the codebook. Real workers, real IndexedDB, real HTTP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startEnginePageServer } from './support/engine-page-server';
import { makeDistinctPhotos, makeGeneratedFixtures } from './support/fixtures';
import { createScopes, startedEnginePage } from './support/engine-page';
import type { PageWindow } from './support/page-api';
import { startCollector, type TestCollector } from '../support/collector';
import { parseCodebookJson } from '../../src/codebook/load-codebook';
import { assignLabel } from '../../src/codebook/assign-label';
import type { Codebook } from '../../src/codebook/codebook-schema';
import type { CategoryReleaseOptions } from '../../src/release/release-api';

const CODEBOOK_FILE = 'public/codebooks/fashion-10.json';
let server: Awaited<ReturnType<typeof startEnginePageServer>>;
let collector: TestCollector;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let fixtures: string;
let photos: string[];
let codebook: Codebook;

before(async () => {
  codebook = await parseCodebookJson(await readFile(CODEBOOK_FILE, 'utf8'));
  fixtures = await makeGeneratedFixtures();
  photos = await makeDistinctPhotos(fixtures, 4);
  server = await startEnginePageServer();
  // One task a scope: k-RR releases go to "labels", OUE releases to "labels-oue".
  collector = await startCollector({
    codebooks: 'public/codebooks',
    allowedOrigins: [new URL(server.url).origin],
    tasks: [
      { scope: 'labels', mechanism: 'krr', epsilon: 2, codebook: 'fashion-10' },
      { scope: 'labels-oue', mechanism: 'oue', epsilon: 1, codebook: 'fashion-10' },
    ],
  });
  browser = await launchChromium();
  context = await browser.newContext();
  await createScopes(context, server.url, fixtures, [
    { name: 'labels', totalEpsilon: 10 },
    { name: 'labels-oue', totalEpsilon: 10 },
  ]);
  page = await startedEnginePage(context, server.url, fixtures);
});
after(async () => {
  await browser?.close();
  await collector?.close();
  await server?.close();
});

const options = (o: Partial<CategoryReleaseOptions> = {}): CategoryReleaseOptions => ({
  scope: 'labels',
  mechanism: { name: 'krr', epsilon: 2 },
  codebook: '/codebooks/fashion-10.json',
  destination: `${collector.url}/reports`,
  ...o,
});

/** Releases one fixture with these options; the clean vector comes back too, to check the label here. */
function release(path: string, o: CategoryReleaseOptions) {
  return page.evaluate(
    async ([p, opts]) => {
      const ob = (window as unknown as PageWindow).obscura;
      try {
        const { extraction, outcome } = await ob.release(await ob.fixture(p as string), opts as CategoryReleaseOptions);
        if (outcome.kind !== 'category') throw new Error(`expected a category outcome, got ${outcome.kind}`);
        return {
          ok: true as const,
          clean: Array.from(extraction.vector),
          outcome: { ...outcome },
          remaining: (await ob.releases().budget((opts as CategoryReleaseOptions).scope)).remaining,
        };
      } catch (err) {
        return { ok: false as const, name: (err as Error).name, message: (err as Error).message };
      }
    },
    [path, o] as const,
  );
}

test('k-RR by codebook URL: the label assigned in the worker comes back; only the randomized one leaves', async () => {
  const r = await release(photos[0]!, options());
  assert.ok(r.ok, JSON.stringify(r));
  // The worker assigned what the codebook assigns to this clean vector here, in Node.
  assert.deepEqual(r.outcome.assigned, assignLabel(codebook, r.clean));
  assert.equal(r.outcome.codebook.hash, codebook.hash);
  assert.deepEqual(r.outcome.codebook.labels, codebook.labels);
  const report = r.outcome.report as { category: { codebook: string; k: number; value: number }; mechanism: object };
  assert.deepEqual(Object.keys(report.category).sort(), ['codebook', 'k', 'value']);
  assert.equal(report.category.codebook, 'fashion-10');
  assert.equal(report.category.k, 10);
  assert.deepEqual(report.mechanism, { name: 'krr', epsilon: 2, delta: 0 });
  // Nothing of the assigned label travels besides the randomized value.
  assert.deepEqual(Object.keys(report).sort(), [
    'category',
    'createdAt',
    'id',
    'mechanism',
    'model',
    'projection',
    'scope',
    'v',
  ]);
  assert.equal(r.outcome.charged, true);
  assert.equal(r.remaining, 8);
  // The collector, which knows fashion-10, stored exactly that report.
  await page.evaluate(() => (window as unknown as PageWindow).obscura.releases().flushOutbox());
  await collector.waitForStored(1, 'labels');
  assert.deepEqual((await collector.store.list('labels', 10))[0], report);
});

test('the same image and codebook again: the stored report, no new charge', async () => {
  const again = await release(photos[0]!, options());
  assert.ok(again.ok, JSON.stringify(again));
  assert.equal(again.outcome.charged, false);
  assert.equal(again.remaining, 8);
});

test('OUE with the codebook object: k bits leave, charged once', async () => {
  const r = await release(
    photos[1]!,
    options({ scope: 'labels-oue', mechanism: { name: 'oue', epsilon: 1 }, codebook }),
  );
  assert.ok(r.ok, JSON.stringify(r));
  const bits = (r.outcome.report as { category: { bits: number[] } }).category.bits;
  assert.equal(bits.length, 10);
  assert.ok(bits.every((b) => b === 0 || b === 1));
  assert.deepEqual(r.outcome.assigned, assignLabel(codebook, r.clean));
  // What is left is the smaller of the scope's (10 − 1) and the device's (10 − 2 − 1).
  assert.equal(r.remaining, 7);
});

test('a codebook of another model, a bad hash or a missing file: refused by name, nothing charged', async () => {
  const other = { ...codebook, model: { ...codebook.model, layer: 'block_16_project_BN' } };
  const mismatch = await release(photos[2]!, options({ codebook: await resealed(other) }));
  assert.equal(mismatch.ok, false);
  assert.equal(!mismatch.ok && mismatch.name, 'CodebookMismatchError');
  const tampered = await release(
    photos[2]!,
    options({ codebook: { ...codebook, labels: [...codebook.labels].reverse() } }),
  );
  assert.equal(!tampered.ok && tampered.name, 'InvalidCodebookError');
  const missing = await release(photos[2]!, options({ codebook: `${collector.url}/codebooks/no-such.json` }));
  assert.equal(!missing.ok && missing.name, 'CodebookLoadError');
  // A codebook goes with k-RR/OUE and only with them.
  const vectorWithCodebook = await release(photos[2]!, {
    ...options(),
    mechanism: { name: 'privunit', epsilon: 1 },
  } as never);
  assert.equal(
    !vectorWithCodebook.ok && vectorWithCodebook.message,
    'mechanism must be krr or oue with a codebook, got privunit',
  );
  const { codebook: _omitted, ...noCodebook } = options();
  const krrWithout = await release(photos[2]!, noCodebook as never);
  assert.match(
    !krrWithout.ok ? krrWithout.message : '',
    /^codebook must be a codebook \(object or URL\) for mechanism krr/,
  );
  const budget = await page.evaluate(() => (window as unknown as PageWindow).obscura.releases().budget('labels'));
  assert.equal(budget.remaining, 7);
});

/** A codebook with other content, sealed with its own (valid) hash. */
async function resealed(c: Codebook): Promise<Codebook> {
  const { sealCodebook } = await import('../../src/codebook/load-codebook');
  const { hash: _hash, ...content } = c;
  return sealCodebook(content);
}
