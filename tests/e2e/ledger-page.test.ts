// Paged ledger queries in real Chromium IndexedDB (the modules bundled once with Vite, called from a page):
// a version-4 ledger, whose entries have no host and share milliseconds, upgrades to version 5 and pages
// through every entry once, newest first, by each filter and by several at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { serveBundledModules } from './support/bundled-modules';

type Modules = typeof import('../../src/ledger/ledger-schema') &
  typeof import('../../src/ledger/ledger-page') &
  typeof import('../../src/ledger/ledger-hosts');

let served: Awaited<ReturnType<typeof serveBundledModules>>;
let browser: Browser;
let page: Page;

before(async () => {
  served = await serveBundledModules({
    'ledger/ledger-schema': ['openLedgerDb'],
    'ledger/ledger-page': ['ledgerPage'],
    'ledger/ledger-hosts': ['ledgerHosts'],
  });
  browser = await launchChromium();
  page = await (await browser.newContext()).newPage();
  await page.goto(served.url);
  await page.waitForFunction(() => 'ledger' in window);
  // tsx keeps function names with a `__name` helper the page lacks: the evaluated helpers below need it.
  await page.evaluate('globalThis.__name = (f) => f');
});
after(async () => {
  await browser?.close();
  await served?.close();
});

const STATES = ['queued', 'delivered', 'rejected'] as const;

/** Entry i: four share each millisecond; scopes a/b/c; a host on every fifth from 40 on (none before). */
function entry(i: number) {
  return {
    id: `r${String(i).padStart(4, '0')}`,
    scope: ['a', 'b', 'c'][i % 3]!,
    ...(i >= 40 && i % 5 === 0 ? { host: i % 10 === 0 ? 'https://shop.example' : 'https://news.example' } : {}),
    time: 1_000 + Math.floor(i / 4),
    mechanism: 'privunit',
    epsilon: 1,
    delta: 0,
    rho: 0,
    destination: 'http://127.0.0.1:9/reports',
    state: STATES[i % 3 === 0 ? 0 : i % 7 === 0 ? 2 : 1],
    payload: { id: `r${i}` },
  };
}
const ENTRIES = Array.from({ length: 101 }, (_, i) => entry(i));
type Entry = ReturnType<typeof entry>;

/** Newest first: time, then id, both descending. */
const newestFirst = (a: Entry, b: Entry) => b.time - a.time || (a.id < b.id ? 1 : -1);

test('a version-4 ledger upgrades to 5 and pages through every entry once, by each filter', async () => {
  const result = await page.evaluate(async (entries) => {
    const l = (window as unknown as { ledger: Modules }).ledger;
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
        db.createObjectStore('memo', { keyPath: 'key' });
        db.createObjectStore('budgetChanges', { keyPath: 'seq', autoIncrement: true }).createIndex('target', 'target');
        db.createObjectStore('deviceKeys');
      };
      open.onsuccess = () => {
        open.result.close();
        resolve();
      };
      open.onerror = () => reject(open.error);
    });
    const db = await l.openLedgerDb('v4');
    const walk = async (filter: object, limit: number) => {
      const ids: string[] = [];
      const totals: number[] = [];
      let after: string | undefined;
      do {
        const p = await l.ledgerPage(db, { ...filter, limit, ...(after ? { after } : {}) });
        if (p.entries.length > limit) throw new Error('page longer than its limit');
        ids.push(...p.entries.map((e) => e.id));
        totals.push(p.total);
        after = p.next;
      } while (after);
      return { ids, totals: [...new Set(totals)] };
    };
    const refusal = async (query: object) =>
      l.ledgerPage(db, query as never).then(
        () => 'none',
        (e: Error) => `${e.name}: ${e.message}`,
      );
    const out = {
      version: db.version,
      all: await walk({}, 7),
      one: await walk({}, 1),
      scope: await walk({ scope: 'b' }, 10),
      host: await walk({ host: 'https://shop.example' }, 2),
      state: await walk({ state: 'rejected' }, 3),
      scopeAndState: await walk({ scope: 'a', state: 'queued' }, 6),
      hostAndScope: await walk({ host: 'https://news.example', scope: 'c' }, 500),
      none: await l.ledgerPage(db, { scope: 'nowhere', limit: 5 }),
      badLimit: await refusal({ limit: 501 }),
      zeroLimit: await refusal({ limit: 0 }),
      badCursor: await refusal({ limit: 5, after: 'page 2' }),
    };
    // A delivery changes a state: the state pages follow at once.
    const changed = { ...(await db.get('ledger', 'r0001'))!, state: 'rejected' as const };
    await db.put('ledger', changed);
    const afterChange = await walk({ state: 'rejected' }, 4);
    db.close();
    return { ...out, afterChange };
  }, ENTRIES);

  const expected = (keep: (e: Entry) => boolean) =>
    ENTRIES.filter(keep)
      .sort(newestFirst)
      .map((e) => e.id);
  assert.equal(result.version, 5);
  for (const [name, walked, keep] of [
    ['all', result.all, () => true],
    ['one per page', result.one, () => true],
    ['scope', result.scope, (e: Entry) => e.scope === 'b'],
    ['host', result.host, (e: Entry) => e.host === 'https://shop.example'],
    ['state', result.state, (e: Entry) => e.state === 'rejected'],
    ['scope and state', result.scopeAndState, (e: Entry) => e.scope === 'a' && e.state === 'queued'],
    ['host and scope', result.hostAndScope, (e: Entry) => e.host === 'https://news.example' && e.scope === 'c'],
  ] as const) {
    const ids = expected(keep);
    assert.ok(ids.length > 0, `${name}: the fixture has entries to find`);
    assert.deepEqual(walked.ids, ids, `${name}: every entry once, newest first`);
    assert.deepEqual(walked.totals, [ids.length], `${name}: the total on every page`);
  }
  assert.deepEqual(result.none, { entries: [], total: 0 });
  assert.match(result.badLimit, /^InvalidParameterError: expected a page limit from 1 to 500, got 501/);
  assert.match(result.zeroLimit, /^InvalidParameterError/);
  assert.match(result.badCursor, /^InvalidParameterError: expected a cursor/);
  const rejected = expected((e) => e.state === 'rejected' || e.id === 'r0001');
  assert.deepEqual(result.afterChange.ids, rejected);
  assert.deepEqual(result.afterChange.totals, [rejected.length]);
});

test("the ledger's hosts, each once and sorted, one cursor step per host however many entries each has", async () => {
  const result = await page.evaluate(async (entries) => {
    const l = (window as unknown as { ledger: Modules }).ledger;
    const db = await l.openLedgerDb('hosts');
    const empty = await l.ledgerHosts(db);
    const many = entries.flatMap((e, k) =>
      Array.from({ length: 30 }, (_, j) => ({ ...e, id: `${e.id}-${j}`, time: e.time + k + j })),
    );
    const tx = db.transaction('ledger', 'readwrite');
    for (const e of [...many, { ...entries[0]!, id: 'z', host: 'http://127.0.0.1:8080' }])
      void tx.store.put(e as never);
    await tx.done;
    // Cursor steps: the key cursor's request succeeds once when opened and once per step after.
    let steps = -1;
    const proto = IDBIndex.prototype as unknown as Record<string, (...a: unknown[]) => IDBRequest>;
    const original = proto['openKeyCursor']!;
    proto['openKeyCursor'] = function (this: IDBIndex, ...args: unknown[]) {
      const request = original.apply(this, args);
      request.addEventListener('success', () => steps++);
      return request;
    };
    try {
      return { empty, hosts: await l.ledgerHosts(db), steps, entries: many.length };
    } finally {
      proto['openKeyCursor'] = original;
      db.close();
    }
  }, ENTRIES);
  assert.deepEqual(result.empty, []);
  assert.deepEqual(result.hosts, ['http://127.0.0.1:8080', 'https://news.example', 'https://shop.example']);
  assert.ok(result.entries > 3 * 30, 'each host has many entries');
  assert.equal(result.steps, 3, 'one step per host (the last finds the end)');
});
