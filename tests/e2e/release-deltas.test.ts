// The delta protocol at 10 000 ledger entries, through the real release worker (its production entry, in the
// engine test page's production build: tests/e2e/pages/counted-release.worker.ts): vectors arrive on the
// acceptVectors port as the engine posts them, each release is heard by the page as exactly one LedgerDelta
// carrying its entry and the running sums after it, and the worker never reads a whole store (IndexedDB getAll /
// getAllKeys are counted inside the worker).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser';
import { startEnginePageServer } from './support/engine-page-server';
import { openEnginePage } from './support/engine-page';
import type { PageWindow } from './support/page-api';
import type { LedgerDelta } from '../../src/release/release-api';

let server: Awaited<ReturnType<typeof startEnginePageServer>>;
let browser: Browser;
// The page fetches no fixture (its vectors are posted as the engine posts them): an empty folder serves it.
let noFixtures: string;

before(async () => {
  noFixtures = await mkdtemp(join(tmpdir(), 'obscura-no-fixtures-'));
  server = await startEnginePageServer();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
  await rm(noFixtures, { recursive: true, force: true });
});

const N = Number(process.env['DELTA_RELEASES'] ?? 10_000);

test('10 000 releases: one delta each, with its entry and the sums, and no store read whole', async () => {
  const context = await browser.newContext();
  const page = await openEnginePage(context, server.url, noFixtures);
  const result = await page.evaluate(async (n) => {
    const ob = (window as unknown as PageWindow).obscura;
    // The production release worker's entry, with IndexedDB's whole-store reads counted from before it loads.
    const releases = new ob.ReleaseBridge({ createWorker: ob.countedReleaseWorker });
    const deltas: LedgerDelta[] = [];
    // The last commit's delta (the scope's total set to 99) settles the run: heard, not polled for.
    let lastHeard!: () => void;
    const settled = new Promise<void>((resolve) => (lastHeard = resolve));
    releases.onDelta((d) => {
      deltas.push(d);
      if (d.scopes?.find((s) => s.name === 'many')?.totalEpsilon === 99) lastHeard();
    });
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
    };
    // Vectors as the engine posts them: straight to the release worker's port.
    const channel = new MessageChannel();
    await releases.acceptVectors(channel.port2);
    const model = { id: 'test-model', layer: 'features', dims: 16 };
    const hashes = Array.from({ length: n }, (_, i) => i.toString(16).padStart(64, '0'));
    for (const [i, contentHash] of hashes.entries())
      channel.port1.postMessage({ contentHash, vector: new Float32Array(16).map((_, k) => ((k + i) % 7) + 1), model });
    const startReads = await h.askReads();
    const ids: string[] = [];
    const BATCH = 50;
    for (let i = 0; i < n; i += BATCH) {
      const outcomes = await Promise.all(
        hashes.slice(i, i + BATCH).map((h) =>
          releases.release(h, {
            scope: 'many',
            mechanism: { name: 'privunit', epsilon: 0.01 },
            destination: 'http://127.0.0.1:9/reports',
            send: false,
          }),
        ),
      );
      for (const o of outcomes) ids.push((o.report as { id: string }).id);
    }
    // A last commit: its delta comes after every release's, so all of theirs have arrived once it has.
    await releases.configureScope({ name: 'many', totalEpsilon: 99, window: { kind: 'lifetime' } });
    await settled;
    // Budget changes' deltas carry no entries; every other delta is a release's.
    const releaseDeltas = deltas.filter((d) => d.entries.length > 0);
    const endReads = await h.askReads();
    const last = releaseDeltas.at(-1)!;
    const [budgets, ledgerLength] = [await releases.budgets(), (await releases.ledger('many')).length];
    return {
      all: deltas.length,
      count: releaseDeltas.length,
      oneEntryEach: releaseDeltas.every((d) => d.entries.length === 1),
      inOrder: releaseDeltas.every((d, i) => d.entries[0]!.id === ids[i]),
      counts: releaseDeltas.every((d, i) => d.ledgerCount === releaseDeltas[0]!.ledgerCount + i),
      releasesCounted: releaseDeltas.every(
        (d, i) => d.budgets.scopes.find((s) => s.scope === 'many')!.releases === i + 1,
      ),
      lastCount: last.ledgerCount,
      lastBudget: last.budgets.scopes.find((s) => s.scope === 'many')!,
      budgetsAfter: budgets.scopes.find((s) => s.scope === 'many')!,
      ledgerLength,
      wholeReads: endReads - startReads,
    };
  }, N);
  assert.equal(result.count, N, 'one delta per release');
  assert.equal(result.all, N + 3, 'and one for each of the three budget changes, nothing else');
  assert.ok(result.oneEntryEach && result.inOrder, 'each delta carries its release, in order');
  assert.ok(result.counts && result.releasesCounted, 'each delta counts one more entry and one more charge');
  assert.equal(result.lastCount, N);
  assert.equal(result.ledgerLength, N);
  // The last release's delta states what the worker's own read states afterwards (the scope's total changed since).
  assert.equal(result.lastBudget.spent, result.budgetsAfter.spent);
  assert.equal(result.lastBudget.releases, N);
  // Neither the ledger nor the memo is ever read whole on the release path.
  assert.equal(result.wholeReads, 0, `${result.wholeReads} whole reads of the ledger or memo during ${N} releases`);
  await context.close();
});
