// The budgets' running sums in real Chromium IndexedDB (the ledger modules bundled once with Vite and
// called from a page): after hundreds of releases into lifetime and rolling scopes, withdrawals, refused
// charges, grants raised and revoked and device windows changed, the sums the release path reads equal
// the reference recount of the whole ledger (tests/support/ledger-recount.ts); and the upgrade from
// version 4 computes them from the ledger.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { serveBundledModules } from './support/bundled-modules';
import { LEDGER_V5_STORES } from './support/ledger-fixture';

type Ledger = typeof import('../../src/ledger/ledger-schema') &
  typeof import('../../src/ledger/commit-release') &
  typeof import('../../src/ledger/ledger-queries') &
  typeof import('../../src/outbox/reporter') &
  typeof import('../../src/report/privatize-features') &
  typeof import('../../src/privacy/accountant') &
  typeof import('../../src/privacy/random/random-source') &
  typeof import('../support/ledger-recount');

let served: Awaited<ReturnType<typeof serveBundledModules>>;
let browser: Browser;

before(async () => {
  served = await serveBundledModules({
    'ledger/ledger-schema': ['openLedgerDb'],
    'ledger/commit-release': ['commitRelease'],
    'ledger/ledger-queries': ['createScope', 'changeScope', 'configureDevice', 'readOverview'],
    'outbox/reporter': ['flushOutbox'],
    'report/privatize-features': ['privatizeFeatures'],
    'privacy/accountant': ['costOf'],
    'privacy/random/random-source': ['cryptoRandomSource'],
    'tests/support/ledger-recount': ['recountLedger'],
  });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await served?.close();
});

async function ledgerPage(): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(served.url);
  await page.waitForFunction(() => 'ledger' in window);
  return page;
}

test('the running sums equal the audit after releases, withdrawals, refusals, grants and window changes', async () => {
  const page = await ledgerPage();
  const result = await page.evaluate(async () => {
    const l = (window as unknown as { ledger: Ledger }).ledger;
    const DAY = 24 * 60 * 60 * 1000;
    const db = await l.openLedgerDb('running-totals');
    // After the ledger's own creation (the budget's clock never runs backwards), in whole steps of at least 1 ms.
    let t = Date.now() + 1000;
    // Methods, not named arrows: the test runner's transform would name those with a helper the page lacks.
    const h = {
      step(ms: number): number {
        return (t += Math.max(1, Math.round(ms)));
      },
      async audit(label: string): Promise<void> {
        audits++;
        const [sums, recount] = await Promise.all([l.readOverview(db, t), l.recountLedger(db, t)]);
        if (JSON.stringify(sums) !== JSON.stringify(recount))
          mismatches.push(`${label}: ${JSON.stringify(sums)} != ${JSON.stringify(recount)}`);
      },
    };
    await l.configureDevice(db, { totalEpsilon: 40, window: { kind: 'lifetime' } }, h.step(1));
    await l.createScope(db, { name: 'daily', totalEpsilon: 3, window: { kind: 'rolling', ms: DAY } }, h.step(1));
    await l.createScope(db, { name: 'life', totalEpsilon: 20, window: { kind: 'lifetime' } }, h.step(1));
    await l.createScope(db, { name: 'grant:host', totalEpsilon: 2, window: { kind: 'lifetime' } }, h.step(1));
    const model = { id: 'm', layer: 'f', dims: 8 };
    const scopes = ['default', 'daily', 'life', 'grant:host'];
    const mechanisms = [
      { name: 'privunit', epsilon: 0.05 },
      { name: 'laplace', epsilon: 0.1 },
      { name: 'privunit', epsilon: 0.3 },
      { name: 'gaussian', epsilon: 0.5, delta: 1e-7 },
    ] as const;
    const task = { url: 'http://127.0.0.1:1/tasks', version: 'sha256:0' };
    const mismatches: string[] = [];
    const refusals: Record<string, number> = {};
    let charged = 0;
    let withdrawn = 0;
    let audits = 0;
    for (let i = 0; i < 400; i++) {
      h.step(((i * 7919) % 97) * 6 * 60 * 1000); // 0 to ~10 hours
      if (i % 53 === 52) {
        // The device's window goes rolling, then back to lifetime; its total is raised (a grant of more).
        const window = i % 106 === 52 ? { kind: 'rolling' as const, ms: 2 * DAY } : { kind: 'lifetime' as const };
        await l.configureDevice(db, { totalEpsilon: 40 + i / 10, window }, t);
      } else if (i % 61 === 60) {
        // The daily scope's window changes length; the host's grant is revoked, then given again.
        await l.changeScope(
          db,
          { name: 'daily', totalEpsilon: 3, window: { kind: 'rolling', ms: (1 + (i % 3)) * DAY } },
          t,
        );
        await l.changeScope(
          db,
          { name: 'grant:host', totalEpsilon: i % 122 === 60 ? 0 : 2, window: { kind: 'lifetime' } },
          t,
        );
      } else if (i % 17 === 16) {
        // Every queued report's task changed before it was sent: withdrawn, its charge given back.
        const r = await l.flushOutbox(db, {
          now(): number {
            return t;
          },
          async recheck() {
            return { kind: 'withdraw', reason: { name: 'TaskMismatchError', message: 'changed' } } as const;
          },
        });
        withdrawn += r.withdrawn;
      } else {
        const scope = scopes[i % scopes.length]!;
        const mechanism = mechanisms[(i * 31) % mechanisms.length]!;
        const report = l.privatizeFeatures(
          new Float32Array(8).map((_, k) => k + i),
          model,
          { mechanism, scope },
          l.cryptoRandomSource,
          new Date(t),
        );
        const queue = i % 3 === 0;
        try {
          const outcome = await l.commitRelease(db, {
            report,
            cost: l.costOf(mechanism),
            destination: 'http://127.0.0.1:1/reports',
            ...(queue ? { task } : { queue: false }),
            memoKey: i % 29 === 0 ? 'repeated' : `memo-${i}`,
            now: t,
          });
          if (outcome.charged) charged++;
        } catch (err) {
          const name = (err as Error).name;
          refusals[name] = (refusals[name] ?? 0) + 1;
        }
      }
      if (i % 20 === 19) await h.audit(`after step ${i}`);
    }
    h.step(3 * DAY);
    await h.audit('three days later');
    const final = await l.readOverview(db, t);
    db.close();
    return { mismatches, refusals, charged, withdrawn, audits, final };
  });
  assert.deepEqual(result.mismatches, []);
  assert.ok(result.audits >= 20);
  // The run went through what it is meant to: charges, withdrawals and refusals of both kinds.
  assert.ok(result.charged > 200, `charged ${result.charged}`);
  assert.ok(result.withdrawn > 20, `withdrawn ${result.withdrawn}`);
  assert.ok((result.refusals['BudgetExhaustedError'] ?? 0) > 5, JSON.stringify(result.refusals));
  const daily = result.final.budgets.scopes.find((s) => s.scope === 'daily')!;
  assert.equal(daily.releases, 0, 'three days on, nothing of the daily scope counts');
  assert.ok(daily.cumulativeEpsilon > 3, 'while its cumulative ε keeps everything released');
  await page.context().close();
});

test('the upgrade from version 4 computes the running sums from the ledger', async () => {
  const page = await ledgerPage();
  const result = await page.evaluate(async () => {
    const l = (window as unknown as { ledger: Ledger }).ledger;
    const DAY = 24 * 60 * 60 * 1000;
    const t0 = Date.now() - 10 * DAY;
    const changes = [
      { time: t0, target: '@device', totalEpsilon: 30, window: { kind: 'lifetime' } },
      { time: t0, target: 'default', totalEpsilon: 10, window: { kind: 'lifetime' } },
      { time: t0, target: 'daily', totalEpsilon: 5, window: { kind: 'rolling', ms: DAY } },
      { time: t0 + 8 * DAY, target: 'daily', totalEpsilon: 5, window: { kind: 'rolling', ms: 3 * DAY } },
    ];
    const entries = Array.from({ length: 300 }, (_, i) => ({
      id: `r${i}`,
      scope: i % 2 ? 'daily' : 'default',
      time: t0 + i * 45 * 60 * 1000,
      mechanism: 'privunit',
      epsilon: 0.01 * (1 + (i % 3)),
      delta: 0,
      rho: 0,
      ...(i % 5 ? { epsilonUnits: Math.ceil((0.01 * (1 + (i % 3))) / 2 ** -20) } : {}),
      rhoUnits: 0,
      destination: 'http://127.0.0.1:1/reports',
      state: i % 11 === 0 ? 'withdrawn' : 'delivered',
      payload: { id: `r${i}` },
    }));
    await new Promise<void>((resolve, reject) => {
      const open = indexedDB.open('v4', 4);
      open.onupgradeneeded = () => {
        const db = open.result;
        db.createObjectStore('scopes', { keyPath: 'name' });
        const ledger = db.createObjectStore('ledger', { keyPath: 'id' });
        ledger.createIndex('scope', 'scope');
        ledger.createIndex('state', 'state');
        for (const e of entries) ledger.put(e);
        db.createObjectStore('outbox', { keyPath: 'id' }).createIndex('due', 'nextAttemptAt');
        db.createObjectStore('memo', { keyPath: 'key' }).put({ key: 'k', reportId: 'r3' });
        db.createObjectStore('deviceKeys');
        const c = db.createObjectStore('budgetChanges', { keyPath: 'seq', autoIncrement: true });
        c.createIndex('target', 'target');
        for (const change of changes) c.add(change);
      };
      open.onsuccess = () => {
        open.result.close();
        resolve();
      };
      open.onerror = () => reject(open.error);
    });
    const db = await l.openLedgerDb('v4');
    const now = Date.now();
    const [sums, recount] = await Promise.all([l.readOverview(db, now), l.recountLedger(db, now)]);
    const out = { version: db.version, stores: [...db.objectStoreNames].sort(), sums, recount };
    db.close();
    return out;
  });
  assert.equal(result.version, 5);
  assert.deepEqual(result.stores, LEDGER_V5_STORES);
  assert.deepEqual(result.sums, result.recount);
  assert.equal(result.sums.ledgerCount, 300);
  const daily = result.sums.budgets.scopes.find((s) => s.scope === 'daily')!;
  assert.ok(daily.releases > 0 && daily.releases < 136, `daily counts ${daily.releases} of its 136`);
});
