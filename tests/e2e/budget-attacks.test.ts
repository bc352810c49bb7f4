// The budget audit's attacks against the real ledger in real Chromium IndexedDB: the ledger
// modules (as shipped: idb, the privacy core, the report schema) are bundled once with Vite,
// served from loopback and called from a page, so commitRelease runs its one strict-durability
// readwrite transaction in the browser's own IndexedDB.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { serveBundledModules } from './support/bundled-modules';

const MODULES = {
  'ledger/ledger-schema': ['openLedgerDb'],
  'ledger/commit-release': ['commitRelease'],
  'ledger/ledger-queries': ['configureScope', 'configureDevice', 'readBudget', 'listBudgetChanges'],
  'privacy/accountant': ['costOf'],
  'report/privatize-features': ['privatizeFeatures'],
  'privacy/random/random-source': ['cryptoRandomSource'],
};

/** The page's `window.ledger`: the real modules, called from the page. */
type Ledger = typeof import('../../src/ledger/ledger-schema') &
  typeof import('../../src/ledger/commit-release') &
  typeof import('../../src/ledger/ledger-queries') &
  typeof import('../../src/privacy/accountant') &
  typeof import('../../src/report/privatize-features') &
  typeof import('../../src/privacy/random/random-source');

let served: Awaited<ReturnType<typeof serveBundledModules>>;
let url: string;
let browser: Browser;

before(async () => {
  served = await serveBundledModules(MODULES);
  url = served.url;
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await served?.close();
});

async function ledgerPage(): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => 'ledger' in window);
  return page;
}

interface Outcome {
  charged: number;
  refused: { name: string; message: string; budget?: unknown }[];
}

/**
 * In the page: opens a fresh ledger (device ε = 10, scope "default"), optionally creates scopes,
 * then releases `count` times round-robin over `scopes` at `epsilon` (PrivUnit) and returns
 * what was charged and what was refused.
 */
function attack(page: Page, args: { db: string; create: string[]; scopes: string[]; epsilon: number; count: number }) {
  return page.evaluate(async ({ db: name, create, scopes, epsilon, count }): Promise<Outcome> => {
    const l = (window as unknown as { ledger: Ledger }).ledger;
    const db = await l.openLedgerDb(name);
    for (const s of create) await l.configureScope(db, { name: s, totalEpsilon: 10, window: { kind: 'lifetime' } });
    const out: Outcome = { charged: 0, refused: [] };
    const mechanism = { name: 'privunit', epsilon } as const;
    for (let i = 0; i < count; i++) {
      const scope = scopes[i % scopes.length];
      const report = l.privatizeFeatures(
        [1, 2, 3, 4, 5, 6, 7, 8],
        { id: 'm', layer: 'x', dims: 8 },
        { mechanism, scope },
        l.cryptoRandomSource,
      );
      try {
        const outcome = await l.commitRelease(db, {
          report,
          cost: l.costOf(mechanism),
          destination: 'http://127.0.0.1:9/reports',
          memoKey: report.id, // distinct content each time: no memoized answer
          now: Date.now(),
        });
        if (outcome.charged) out.charged++;
      } catch (err) {
        const e = err as { name: string; message: string; details?: { budget?: unknown } };
        out.refused.push({ name: e.name, message: e.message, budget: e.details?.budget });
      }
    }
    db.close();
    return out;
  }, args);
}

test('finding 2 in IndexedDB: five scopes of ε = 10 release at most the device budget of ε = 10', async () => {
  const page = await ledgerPage();
  const scopes = ['a', 'b', 'c', 'd', 'e'];
  const out = await attack(page, { db: 'five-scopes', create: scopes, scopes, epsilon: 1, count: 50 });
  assert.equal(out.charged, 10);
  assert.equal(out.refused.length, 40);
  assert.ok(out.refused.every((r) => r.name === 'BudgetExhaustedError' && r.budget === 'device'));
  await page.context().close();
});

test('finding 2 in IndexedDB: an unknown scope is refused (UnknownScopeError) and not created', async () => {
  const page = await ledgerPage();
  const out = await attack(page, { db: 'unknown', create: [], scopes: ['nobody'], epsilon: 1, count: 2 });
  assert.equal(out.charged, 0);
  assert.deepEqual(
    out.refused.map((r) => r.name),
    ['UnknownScopeError', 'UnknownScopeError'],
  );
  const changes = await page.evaluate(async () => {
    const l = (window as unknown as { ledger: Ledger }).ledger;
    const db = await l.openLedgerDb('unknown');
    const list = (await l.listBudgetChanges(db)) as { target: string }[];
    db.close();
    return list.map((c) => c.target).sort();
  });
  assert.deepEqual(changes, ['@device', 'default'], 'the ledger lists the budgets the app created, and only those');
  await page.context().close();
});

test('finding 1 in IndexedDB: once ε = 10 is spent, releases at the smallest ε are refused', async () => {
  const page = await ledgerPage();
  const spent = await attack(page, { db: 'tiny', create: [], scopes: ['default'], epsilon: 1, count: 10 });
  assert.equal(spent.charged, 10);
  const tiny = await attack(page, { db: 'tiny', create: [], scopes: ['default'], epsilon: 0.01, count: 20 });
  assert.equal(tiny.charged, 0);
  assert.ok(tiny.refused.every((r) => r.name === 'BudgetExhaustedError'));
  await page.context().close();
});

test('finding 2 in IndexedDB: budget changes are checked; a switch to a rolling window forgives nothing', async () => {
  const page = await ledgerPage();
  await attack(page, { db: 'window', create: [], scopes: ['default'], epsilon: 2, count: 5 });
  const result = await page.evaluate(async () => {
    const l = (window as unknown as { ledger: Ledger }).ledger;
    const db = await l.openLedgerDb('window');
    const errors: string[] = [];
    for (const scope of [
      { name: 'default', totalEpsilon: 10, window: { kind: 'rolling', ms: 1 } },
      { name: 'default', totalEpsilon: 1e9, window: { kind: 'lifetime' } },
    ] as const) {
      try {
        await l.configureScope(db, scope);
      } catch (err) {
        errors.push((err as Error).name);
      }
    }
    const day = { kind: 'rolling', ms: 24 * 60 * 60 * 1000 } as const;
    await l.configureDevice(db, { totalEpsilon: 10, window: day });
    await l.configureScope(db, { name: 'default', totalEpsilon: 10, window: day });
    const budget = await l.readBudget(db, 'default', Date.now());
    const tomorrow = await l.readBudget(db, 'default', Date.now() + 24 * 60 * 60 * 1000 + 60_000);
    const changes = (await l.listBudgetChanges(db)).length;
    db.close();
    return { errors, remaining: budget.remaining, later: tomorrow.remaining, changes };
  });
  assert.deepEqual(result.errors, ['InvalidParameterError', 'InvalidParameterError']);
  assert.equal(result.remaining, 0, 'the charges made under the lifetime budget still count');
  assert.equal(result.later, 10, 'until a full window after the switch');
  assert.equal(result.changes, 4, 'device and default at creation, then the two changes');
  await page.context().close();
});

test('a version-1 ledger is migrated: scopes kept within limits, old charges count against the device', async () => {
  const page = await ledgerPage();
  const result = await page.evaluate(async () => {
    const l = (window as unknown as { ledger: Ledger }).ledger;
    // A version-1 database as the earlier release path left it: a scope with any total and a
    // 1 ms window, and 9 ε charged in scopes created on the fly.
    await new Promise<void>((resolve, reject) => {
      const open = indexedDB.open('v1', 1);
      open.onupgradeneeded = () => {
        const db = open.result;
        db.createObjectStore('scopes', { keyPath: 'name' }).put({
          name: 'old',
          totalEpsilon: 1e9,
          window: { kind: 'rolling', ms: 1 },
        });
        const ledger = db.createObjectStore('ledger', { keyPath: 'id' });
        ledger.createIndex('scope', 'scope');
        ledger.createIndex('state', 'state');
        for (let i = 0; i < 9; i++)
          ledger.put({ id: `r${i}`, scope: i < 5 ? 'old' : `fly${i}`, time: Date.now(), epsilon: 1, delta: 0, rho: 0 });
        db.createObjectStore('outbox', { keyPath: 'id' }).createIndex('due', 'nextAttemptAt');
        db.createObjectStore('memo', { keyPath: 'key' });
      };
      open.onsuccess = () => {
        open.result.close();
        resolve();
      };
      open.onerror = () => reject(open.error);
    });
    const db = await l.openLedgerDb('v1');
    const changes = (await l.listBudgetChanges(db)).map((c) => ({
      target: c.target,
      total: c.totalEpsilon,
      window: c.window,
    }));
    const old = await l.readBudget(db, 'old', Date.now());
    let fly = '';
    try {
      await l.readBudget(db, 'fly5', Date.now());
    } catch (err) {
      fly = (err as Error).name;
    }
    db.close();
    return { changes, device: old.device.spent, remaining: old.remaining, fly };
  });
  const byTarget = Object.fromEntries(result.changes.map((c) => [c.target, c]));
  assert.deepEqual(Object.keys(byTarget).sort(), ['@device', 'default', 'old']);
  assert.equal(byTarget['old']!.total, 100, 'an unbounded total is brought down to the maximum');
  assert.deepEqual(byTarget['old']!.window, { kind: 'rolling', ms: 24 * 60 * 60 * 1000 }, 'a 1 ms window to a day');
  assert.equal(result.device, 9, 'every earlier charge counts against the device');
  assert.equal(result.remaining, 1);
  assert.equal(result.fly, 'UnknownScopeError', 'scopes made on the fly are not re-created');
  await page.context().close();
});
