// The budget attacks of issue 9 against the production release worker (src/release/release.worker.ts)
// and the production engine worker, in a real browser with real IndexedDB: many scopes cannot add up
// to more than the device-wide budget, tiny ε cannot slip past a spent budget, and a report that is
// not exactly what the privacy module builds never leaves the outbox.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startEnginePageServer } from './support/engine-page-server';
import { makeDistinctPhotos, makeGeneratedFixtures } from './support/fixtures';
import { openEnginePage } from './support/engine-page';
import type { PageWindow } from './support/page-api';
import { startScriptedCollector, type ScriptedCollector } from './support/scripted-collector';
import type { BudgetOverview } from '../../src/release/release-api';

let server: Awaited<ReturnType<typeof startEnginePageServer>>;
let endpoint: ScriptedCollector;
let browser: Browser;
let fixtures: string;
let photos: string[];

before(async () => {
  fixtures = await makeGeneratedFixtures();
  photos = await makeDistinctPhotos(fixtures, 20);
  server = await startEnginePageServer();
  endpoint = await startScriptedCollector();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await endpoint?.close();
  await server?.close();
});

type Attempt = { ok: true; charged: boolean } | { ok: false; name: string; budget: unknown; parameter: unknown };

interface Plan {
  /** Scopes the person creates first (ε 10 each, lifetime). */
  readonly create: readonly string[];
  /** Budget changes of the device before the releases. */
  readonly device?: { readonly totalEpsilon: number };
  /** One release per photo, at these ε, round-robin over `scopes`; all at once after every extraction. */
  readonly releases: readonly { readonly path: string; readonly scope: string; readonly epsilon: number }[];
}

/**
 * In a fresh page: the production engine and release workers (no test entry), the plan's
 * scopes and device budget, then its releases; returns each attempt and every budget after.
 */
function run(page: Page, plan: Plan): Promise<{ attempts: Attempt[]; overview: BudgetOverview }> {
  return page.evaluate(
    async ([p, dest]) => {
      const ob = (window as unknown as PageWindow).obscura;
      const releases = new ob.ReleaseBridge();
      const engine = new ob.EngineBridge({ backend: 'wasm', release: releases });
      try {
        for (const name of p.create)
          await releases.createScope({ name, totalEpsilon: 10, window: { kind: 'lifetime' } });
        if (p.device) await releases.configureDevice({ ...p.device, window: { kind: 'lifetime' } });
        const hashes: string[] = [];
        for (const r of p.releases) hashes.push((await engine.extract(await ob.fixture(r.path))).contentHash);
        const attempts = await Promise.all(
          p.releases.map(async (r, i): Promise<Attempt> => {
            try {
              const outcome = await releases.release(hashes[i]!, {
                scope: r.scope,
                mechanism: { name: 'privunit', epsilon: r.epsilon },
                destination: dest as string,
              });
              return { ok: true, charged: outcome.charged };
            } catch (err) {
              const e = err as Error & { details?: Record<string, unknown> };
              return { ok: false, name: e.name, budget: e.details?.['budget'], parameter: e.details?.['parameter'] };
            }
          }),
        );
        return { attempts, overview: await releases.budgets() };
      } finally {
        engine.stop();
        releases.stop();
      }
    },
    [plan, `${endpoint.url}/reports`] as const,
  );
}

async function freshPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  return { context, page: await openEnginePage(context, server.url, fixtures) };
}

test('five scopes of ε = 10 each, released into at once, yield at most the device budget of ε = 10', async () => {
  const { context, page } = await freshPage();
  const scopes = ['s1', 's2', 's3', 's4', 's5'];
  // 15 releases of ε = 2: each scope alone would allow all three of its own, 30 in total.
  const releases = photos.slice(0, 15).map((path, i) => ({ path, scope: scopes[i % 5]!, epsilon: 2 }));
  const { attempts, overview } = await run(page, { create: scopes, releases });
  const charged = attempts.filter((a) => a.ok && a.charged);
  assert.equal(charged.length, 5, JSON.stringify(attempts));
  for (const a of attempts)
    if (!a.ok) assert.deepEqual([a.name, a.budget], ['BudgetExhaustedError', 'device'], JSON.stringify(a));
  assert.equal(overview.device.spent, 10);
  assert.equal(overview.device.remaining, 0);
  assert.deepEqual(overview.scopes.map((s) => s.scope).sort(), ['default', ...scopes]);
  const spentInScopes = overview.scopes.reduce((sum, s) => sum + s.spent, 0);
  assert.ok(Math.abs(spentInScopes - 10) < 1e-9, `the scopes together spent ε ${spentInScopes}`);
  // A scope that was never created is refused by name, and is not created by the attempt.
  const unknown = await run(page, { create: [], releases: [{ path: photos[15]!, scope: 'nobody', epsilon: 1 }] });
  assert.deepEqual(unknown.attempts, [
    { ok: false, name: 'UnknownScopeError', budget: undefined, parameter: undefined },
  ]);
  assert.ok(!unknown.overview.scopes.some((s) => s.scope === 'nobody'));
  await context.close();
});

test('after the budget is spent, ε below the floor is a typed error and ε = 0.01 exactly is refused', async () => {
  const { context, page } = await freshPage();
  // The device is lowered to ε 1 (a ledger entry), then spent by one release.
  const spend = await run(page, {
    create: [],
    device: { totalEpsilon: 1 },
    releases: [{ path: photos[16]!, scope: 'default', epsilon: 1 }],
  });
  assert.deepEqual(spend.attempts, [{ ok: true, charged: true }]);
  const tiny = await run(page, {
    create: [],
    releases: [
      { path: photos[17]!, scope: 'default', epsilon: 0.001 },
      { path: photos[18]!, scope: 'default', epsilon: 1e-9 },
      { path: photos[19]!, scope: 'default', epsilon: 0.01 },
    ],
  });
  assert.deepEqual(tiny.attempts.slice(0, 2), [
    { ok: false, name: 'InvalidParameterError', budget: undefined, parameter: 'epsilon' },
    { ok: false, name: 'InvalidParameterError', budget: undefined, parameter: 'epsilon' },
  ]);
  assert.deepEqual(tiny.attempts[2], {
    ok: false,
    name: 'BudgetExhaustedError',
    budget: 'device',
    parameter: undefined,
  });
  assert.equal(tiny.overview.device.releases, 1, 'nothing was charged after the budget ran out');
  // Granting ε 0.02 more lets exactly one release at the floor through, not two: a charge is rounded up to
  // the ledger's grid (2^-20) and a total down, so ε 0.01 costs a little more than 0.01 and nothing rounds away.
  const granted = await run(page, {
    create: [],
    device: { totalEpsilon: 1.02 },
    releases: [
      { path: photos[19]!, scope: 'default', epsilon: 0.01 },
      { path: photos[18]!, scope: 'default', epsilon: 0.01 },
    ],
  });
  const charged = granted.attempts.filter((a) => a.ok && a.charged).length;
  assert.equal(charged, 1, JSON.stringify(granted.attempts));
  assert.ok(granted.overview.device.remaining < 0.01, `ε ${granted.overview.device.remaining} left`);
  await context.close();
});

test('a report with an extra mechanism field put in the outbox is refused by the reporter: never sent', async () => {
  const { context, page } = await freshPage();
  const made = await run(page, { create: [], releases: [{ path: photos[0]!, scope: 'default', epsilon: 1 }] });
  assert.deepEqual(made.attempts, [{ ok: true, charged: true }]);
  const result = await page.evaluate(async () => {
    const ob = (window as unknown as PageWindow).obscura;
    const releases = new ob.ReleaseBridge();
    try {
      const [entry] = await releases.ledger('default');
      const report = entry!.payload as unknown as { id: string; mechanism: Record<string, unknown> };
      // The same report twice under new ids: one as built, one with a field no mechanism states.
      const plain = { ...report, id: crypto.randomUUID() };
      const extra = { ...report, id: crypto.randomUUID(), mechanism: { ...report.mechanism, sensitivity: 0 } };
      await new Promise<void>((resolve, reject) => {
        const req = indexedDB.open('obscura-ledger');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const tx = req.result.transaction(['ledger', 'outbox'], 'readwrite');
          for (const r of [plain, extra]) {
            tx.objectStore('ledger').put({ ...entry!, id: r.id, state: 'queued', payload: r });
            tx.objectStore('outbox').put({
              id: r.id,
              destination: entry!.destination,
              report: r,
              attempts: 0,
              nextAttemptAt: 0,
            });
          }
          tx.oncomplete = () => {
            req.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      });
      const flushed = await releases.flushOutbox();
      const entries = await releases.ledger('default');
      return {
        plain: plain.id,
        extra: extra.id,
        flushed,
        plainEntry: entries.find((e) => e.id === plain.id),
        extraEntry: entries.find((e) => e.id === extra.id),
      };
    } finally {
      releases.stop();
    }
  });
  assert.equal(result.extraEntry?.state, 'rejected');
  assert.equal(result.extraEntry?.error?.name, 'InvalidReportError');
  assert.match(result.extraEntry?.error?.message ?? '', /sensitivity/);
  assert.ok(!endpoint.posts.some((p) => p.id === result.extra), 'the report with the extra field was never sent');
  // The unaltered copy goes out: the refusal is about the field, not about the copying.
  assert.equal(result.plainEntry?.state, 'delivered');
  assert.ok(endpoint.stored.has(result.plain));
  assert.equal(result.flushed.waiting, 0, 'the refused report left the outbox');
  await context.close();
});
