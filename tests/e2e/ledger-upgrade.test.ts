// The ledger's upgrade to version 4 in real Chromium IndexedDB (the schema module bundled once with
// Vite, served from loopback, called from a page): aggregate-only entries of version 3 held both
// input shares; they keep a commitment instead, a share still undelivered stays deliverable from
// the outbox, and memo keys that were a plain hash of the pixels are dropped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { serveBundledModules } from './support/bundled-modules';
import { LEDGER_V5_STORES } from './support/ledger-fixture';

/** The page's `window.ledger`: the real modules, called from the page. */
type Ledger = typeof import('../../src/ledger/ledger-schema') & typeof import('../../src/outbox/share-delivery');

let served: Awaited<ReturnType<typeof serveBundledModules>>;
let url: string;
let browser: Browser;

before(async () => {
  served = await serveBundledModules({
    'ledger/ledger-schema': ['openLedgerDb'],
    'outbox/share-delivery': ['invalidShareReason'],
  });
  url = served.url;
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await served?.close();
});

async function ledgerPage(): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(url);
  await page.waitForFunction(() => 'ledger' in window);
  return page;
}

const b64 = (n: number) => randomBytes(n).toString('base64url');
const sha256 = (s: string) => createHash('sha256').update(Buffer.from(s, 'base64url')).digest('hex');
const LEADER = 'http://127.0.0.1:7001';
const HELPER = 'http://127.0.0.2:7002';

/** A version-3 ledger entry of an aggregate-only release, both shares in its payload. */
function v3Entry(id: string, leader: string, helper: string) {
  const submission = {
    kind: 'aggregate-shares',
    id,
    leader: { url: `${LEADER}/reports/${id}`, body: { publicShare: PUBLIC, inputShare: leader } },
    helper: { url: `${HELPER}/reports/${id}`, body: { publicShare: PUBLIC, inputShare: helper } },
  };
  const delivered = { state: 'delivered', deliveredAt: 2, attempts: 0 };
  return {
    submission,
    entry: {
      id,
      scope: 'survey',
      time: 1,
      mechanism: 'prio3-skellam',
      epsilon: 1,
      delta: 1e-8,
      rho: 0,
      destination: LEADER,
      state: 'delivered',
      payload: submission,
      aggregate: {
        central: { epsilon: 1, delta: 1e-8 },
        local: { epsilon: 51, delta: 1e-8 },
        scope: {},
        deliveries: {
          leader: { destination: submission.leader.url, ...delivered },
          helper: { destination: submission.helper.url, ...delivered },
        },
      },
    },
  };
}
const PUBLIC = b64(64);

test('version 4 strips stored shares, keeps undelivered ones deliverable, and drops unsalted memo keys', async () => {
  const sent = v3Entry(b64(16), b64(3000), b64(48));
  const waiting = v3Entry(b64(16), b64(3000), b64(48));
  // The waiting entry: its leader acknowledged, its helper's share still in the outbox.
  const waitingEntry = {
    ...waiting.entry,
    state: 'retrying',
    aggregate: {
      ...waiting.entry.aggregate,
      deliveries: {
        ...waiting.entry.aggregate.deliveries,
        helper: { destination: waiting.submission.helper.url, state: 'retrying', attempts: 1, nextAttemptAt: 5 },
      },
    },
  };
  const helperShare = {
    id: `${waiting.submission.id}.helper`,
    entryId: waiting.submission.id,
    role: 'helper',
    destination: waiting.submission.helper.url,
    share: waiting.submission.helper.body,
    attempts: 1,
    nextAttemptAt: 5,
  };
  const local = { id: 'local-report', scope: 'default', time: 1, epsilon: 1, payload: { id: 'local-report', v: 1 } };
  const pixelHash = createHash('sha256').update('pixels').digest('hex');
  const memo = { key: JSON.stringify([pixelHash, 'mobilenet', 'block_12_add', 'default']), reportId: 'local-report' };

  const page = await ledgerPage();
  const result = await page.evaluate(
    async ([entries, outbox, memoEntry]) => {
      const l = (window as unknown as { ledger: Ledger }).ledger;
      await new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('v3', 3);
        open.onupgradeneeded = () => {
          const db = open.result;
          db.createObjectStore('scopes', { keyPath: 'name' });
          const ledger = db.createObjectStore('ledger', { keyPath: 'id' });
          ledger.createIndex('scope', 'scope');
          ledger.createIndex('state', 'state');
          for (const e of entries as unknown as object[]) ledger.put(e);
          const ob = db.createObjectStore('outbox', { keyPath: 'id' });
          ob.createIndex('due', 'nextAttemptAt');
          ob.put(outbox);
          db.createObjectStore('memo', { keyPath: 'key' }).put(memoEntry);
          db.createObjectStore('budgetChanges', { keyPath: 'seq', autoIncrement: true }).createIndex(
            'target',
            'target',
          );
        };
        open.onsuccess = () => {
          open.result.close();
          resolve();
        };
        open.onerror = () => reject(open.error);
      });
      const db = await l.openLedgerDb('v3');
      const ledger = await db.getAll('ledger');
      const queued = await db.getAll('outbox');
      const out = {
        version: db.version,
        stores: [...db.objectStoreNames].sort(),
        ledger,
        outbox: queued,
        memo: await db.getAll('memo'),
        deliverable: queued.map((o) => ('share' in o ? (l.invalidShareReason(o)?.message ?? 'valid') : 'report')),
        database: JSON.stringify({ ledger, memo: await db.getAll('memo') }),
      };
      db.close();
      return out;
    },
    [[sent.entry, waitingEntry, local], helperShare, memo] as const,
  );
  assert.equal(result.version, 5);
  assert.deepEqual(result.stores, LEDGER_V5_STORES);

  // The ledger rows keep their states, guarantees and deliveries; the payload is the commitment.
  const byId = new Map(result.ledger.map((e) => [e.id, e]));
  for (const { submission } of [sent, waiting]) {
    const e = byId.get(submission.id)!;
    assert.deepEqual(e.payload, {
      kind: 'aggregate-commitment',
      id: submission.id,
      publicShareSha256: sha256(PUBLIC),
      leader: { url: submission.leader.url, inputShareSha256: sha256(submission.leader.body.inputShare) },
      helper: { url: submission.helper.url, inputShareSha256: sha256(submission.helper.body.inputShare) },
    });
  }
  assert.equal(byId.get(waiting.submission.id)!.state, 'retrying');
  assert.deepEqual(byId.get(sent.submission.id)!.aggregate, sent.entry.aggregate);
  assert.deepEqual(byId.get('local-report'), local, 'a local report is untouched');
  for (const share of [sent, waiting].flatMap((x) => [x.submission.leader, x.submission.helper]))
    assert.ok(!result.database.includes(share.body.inputShare), 'no share in the ledger');

  // The helper's undelivered share is still in the outbox, as it was, and still passes the sender's checks.
  assert.deepEqual(result.outbox, [helperShare]);
  assert.deepEqual(result.deliverable, ['valid']);

  // The memo keyed by the pixels' hash is gone.
  assert.deepEqual(result.memo, []);
  assert.ok(!result.database.includes(pixelHash));
  await page.context().close();
});

test('a new ledger is created at version 5 with the key store and the running sums', async () => {
  const page = await ledgerPage();
  const result = await page.evaluate(async () => {
    const db = await (window as unknown as { ledger: Ledger }).ledger.openLedgerDb('fresh');
    const out = { version: db.version, stores: [...db.objectStoreNames].sort(), memo: await db.count('memo') };
    db.close();
    return out;
  });
  assert.deepEqual(result, {
    version: 5,
    stores: LEDGER_V5_STORES,
    memo: 0,
  });
  await page.context().close();
});
