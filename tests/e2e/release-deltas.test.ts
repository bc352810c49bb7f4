// The delta protocol at 10 000 ledger entries, through the real release worker (its production entry,
// served by Vite): vectors arrive on the acceptVectors port as the engine posts them, each release is
// heard by the page as exactly one LedgerDelta carrying its entry and the running sums after it, and the
// worker never reads a whole store (IndexedDB getAll / getAllKeys are counted inside the worker).
// The ledger is filled to 10 000 entries with copies of the first release's entry written straight into
// the store, with the running sums the version-5 upgrade computes from them (totalsFrom); the last
// releases then go through the release path at that size. DELTA_RELEASES=10000 sends every entry
// through the release path (about 9 ms of CPU each).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startDevServer } from './support/dev-server';
import { makeGeneratedFixtures } from './support/fixtures';
import { openEnginePage } from './support/engine-page';
import type { PageWindow } from './support/page-api';
import type { LedgerDelta } from '../../src/release/release-api';

let server: Awaited<ReturnType<typeof startDevServer>>;
let browser: Browser;
let fixtures: string;

before(async () => {
  fixtures = await makeGeneratedFixtures();
  server = await startDevServer();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** Ledger entries after the last release. */
const N = 10_000;
/** Releases through the release path: the first, and the last RELEASES − 1 after the copies. */
const RELEASES = Math.min(N, Number(process.env['DELTA_RELEASES'] ?? 101));
const SEEDED = N - RELEASES;
/** The ledger's entry count after release i (0-based): the copies go in after the first. */
const countAfter = (i: number) => (i === 0 ? 1 : SEEDED + i + 1);
const SIZES = { n: N, seeded: SEEDED };

test('a ledger filled to 10 000: one delta per release, with its entry and the sums, no store read whole', async () => {
  const context = await browser.newContext();
  const page = await openEnginePage(context, server.url, fixtures);
  const result = await page.evaluate(async ({ n, seeded }) => {
    const ob = (window as unknown as PageWindow).obscura;
    // The production release worker, with IndexedDB's whole-store reads counted before it loads.
    const entry = new URL('/src/release/release.worker.ts', location.href).href;
    // A static import: the worker's listener is up when its first message arrives, and the patch below runs
    // before any IndexedDB request completes.
    const wrapper = `
      import ${JSON.stringify(entry)};
      let reads = 0;
      for (const proto of [IDBObjectStore.prototype, IDBIndex.prototype])
        for (const name of ['getAll', 'getAllKeys']) {
          const original = proto[name];
          proto[name] = function (...args) {
            const store = this instanceof IDBIndex ? this.objectStore.name : this.name;
            if (store === 'ledger' || store === 'memo') reads++;
            return original.apply(this, args);
          };
        }
      new BroadcastChannel('test-reads').onmessage = (e) => {
        if (e.data === 'ask') new BroadcastChannel('test-reads').postMessage({ reads });
      };
`;
    const url = URL.createObjectURL(new Blob([wrapper], { type: 'text/javascript' }));
    const releases = new ob.ReleaseBridge({
      createWorker(): Worker {
        return new Worker(url, { type: 'module' });
      },
    });
    const deltas: LedgerDelta[] = [];
    releases.onDelta((d) => deltas.push(d));
    await releases.configureDevice({ totalEpsilon: 100, window: { kind: 'lifetime' } });
    await releases.createScope({ name: 'many', totalEpsilon: 100, window: { kind: 'lifetime' } });
    const reads = new BroadcastChannel('test-reads');
    // Methods, not named arrows: the test runner's transform would name those with a helper the page lacks.
    const h = {
      askReads(): Promise<number> {
        return new Promise<number>((resolve) => {
          reads.onmessage = (e: MessageEvent<{ reads: number }>) => resolve(e.data.reads);
          reads.postMessage('ask');
        });
      },
      settled(resolve: () => void, done: (last: LedgerDelta) => boolean): void {
        const last = deltas.at(-1);
        if (last && done(last)) resolve();
        else setTimeout(() => h.settled(resolve, done), 20);
      },
    };
    // Vectors as the engine posts them: straight to the release worker's port.
    const channel = new MessageChannel();
    await releases.acceptVectors(channel.port2);
    const model = { id: 'test-model', layer: 'features', dims: 16 };
    // Image i of the ledger's n: the first, and those after the copies.
    const hashes = Array.from({ length: n }, (_, i) => i.toString(16).padStart(64, '0'));
    for (const [i, contentHash] of hashes.entries()) {
      if (i > 0 && i <= seeded) continue;
      const vector = new Float32Array(16).map((_, k) => ((k + i) % 7) + 1);
      channel.port1.postMessage({ contentHash, vector, model });
    }
    const startReads = await h.askReads();
    const ids: string[] = [];
    const BATCH = 50;
    const options = {
      scope: 'many',
      mechanism: { name: 'privunit' as const, epsilon: 0.01 },
      destination: 'http://127.0.0.1:9/reports',
      send: false as const,
    };
    // The first release, alone: its entry is the pattern of the copies.
    ids.push(((await releases.release(hashes[0]!, options)).report as { id: string }).id);
    // The modules the worker runs, from the same server, for the page's own writes and recount.
    type Schema = typeof import('../../src/ledger/ledger-schema');
    type Totals = typeof import('../../src/ledger/running-totals');
    type Queries = typeof import('../../src/ledger/ledger-queries');
    const [schema, totals, queries] = (await Promise.all(
      ['ledger-schema', 'running-totals', 'ledger-queries'].map((m) => import(`/src/ledger/${m}.ts`)),
    )) as [Schema, Totals, Queries];
    const db = await schema.openLedgerDb();
    if (seeded > 0) {
      await new Promise<void>((resolve) => h.settled(resolve, (d) => d.entries.length > 0));
      const pattern = deltas.find((d) => d.entries.length > 0)!.entries[0]!;
      const tx = db.transaction(['ledger', 'budgetChanges', 'totals', 'expiries'], 'readwrite');
      for (let i = 0; i < seeded; i++) {
        const id = `copy-${String(i).padStart(6, '0')}`;
        void tx.objectStore('ledger').put({ ...pattern, id, payload: { ...pattern.payload, id } });
      }
      // The running sums of these entries as the version-5 upgrade computes them from a ledger.
      const [entries, changes] = await Promise.all([
        tx.objectStore('ledger').getAll(),
        tx.objectStore('budgetChanges').getAll(),
      ]);
      const { records, rows } = totals.totalsFrom(entries, changes);
      await Promise.all([tx.objectStore('totals').clear(), tx.objectStore('expiries').clear()]);
      for (const r of records) void tx.objectStore('totals').put(r);
      for (const r of rows) void tx.objectStore('expiries').put(r);
      await tx.done;
    }
    for (let i = seeded + 1; i < n; i += BATCH) {
      const outcomes = await Promise.all(hashes.slice(i, i + BATCH).map((hash) => releases.release(hash, options)));
      for (const o of outcomes) ids.push((o.report as { id: string }).id);
    }
    // A last commit: its delta comes after every release's, so all of theirs have arrived once it has.
    await releases.configureScope({ name: 'many', totalEpsilon: 99, window: { kind: 'lifetime' } });
    await new Promise<void>((resolve) =>
      h.settled(resolve, (d) => d.scopes?.find((s) => s.name === 'many')?.totalEpsilon === 99),
    );
    // Budget changes' deltas carry no entries; every other delta is a release's.
    const releaseDeltas = deltas.filter((d) => d.entries.length > 0);
    const endReads = await h.askReads();
    const last = releaseDeltas.at(-1)!;
    const [budgets, ledgerLength] = [await releases.budgets(), (await releases.ledger('many')).length];
    const audit = await queries.readAudit(db, Date.now());
    db.close();
    return {
      all: deltas.length,
      count: releaseDeltas.length,
      oneEntryEach: releaseDeltas.every((d) => d.entries.length === 1),
      inOrder: releaseDeltas.every((d, i) => d.entries[0]!.id === ids[i]),
      counts: releaseDeltas.map((d) => d.ledgerCount),
      releasesCounted: releaseDeltas.map((d) => d.budgets.scopes.find((s) => s.scope === 'many')!.releases),
      lastCount: last.ledgerCount,
      lastBudget: last.budgets.scopes.find((s) => s.scope === 'many')!,
      budgetsAfter: budgets.scopes.find((s) => s.scope === 'many')!,
      recounted: audit.budgets.scopes.find((s) => s.scope === 'many')!,
      ledgerLength,
      wholeReads: endReads - startReads,
    };
  }, SIZES);
  assert.equal(result.count, RELEASES, 'one delta per release');
  assert.equal(result.all, RELEASES + 3, 'and one for each of the three budget changes, nothing else');
  assert.ok(result.oneEntryEach && result.inOrder, 'each delta carries its release, in order');
  const expected = Array.from({ length: RELEASES }, (_, i) => countAfter(i));
  assert.deepEqual(result.counts, expected, 'each delta counts one more entry');
  assert.deepEqual(result.releasesCounted, expected, 'and one more charge');
  assert.equal(result.lastCount, N);
  assert.equal(result.ledgerLength, N);
  // The last release's delta states what the worker's own read states afterwards (the scope's total changed since).
  assert.equal(result.lastBudget.spent, result.budgetsAfter.spent);
  assert.equal(result.lastBudget.releases, N);
  // And what a recount of the whole ledger gives: the copies' sums and the releases' agree.
  assert.deepEqual(
    [result.recounted.spent, result.recounted.releases],
    [result.budgetsAfter.spent, result.budgetsAfter.releases],
  );
  // Neither the ledger nor the memo is ever read whole on the release path.
  assert.equal(
    result.wholeReads,
    0,
    `${result.wholeReads} whole reads of the ledger or memo during ${RELEASES} releases`,
  );
  await context.close();
});
