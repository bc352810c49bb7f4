/**
 * The service worker: makes the app work offline and lets queued reports leave when
 * the network is back.
 *
 * - Precache (Workbox): the app shell, both workers, the threaded WASM build's scripts
 *   and the demo codebook, each entry versioned
 *   by its content revision. A new build installs beside the running one and waits until
 *   the person accepts the update (no skipWaiting on install), so a page never runs
 *   against a half-swapped cache. On activate, entries the new build no longer lists and
 *   caches of other versions are deleted.
 * - The WASM build: a browser runs one of the three, so none is precached; the one the
 *   engine fetches is kept (its name is its content hash) and served from the cache after.
 * - The model: not precached either, which would fetch it a second time on the first visit; the
 *   engine keeps the files it fetched, they are served from that cache after, and a build that
 *   ships other model files empties it (src/sw/model-files.ts). The engine chunks of backends this
 *   browser does not run are not precached; one that runs is kept once fetched.
 * - Background Sync: a page registers OUTBOX_SYNC_TAG while offline; when the browser
 *   sees the network again it fires `sync` here, and this worker runs the release path's
 *   own reporter on the same IndexedDB ledger. The reporter sends only under the
 *   origin-wide Web Lock (a release worker that is flushing keeps it, and then this
 *   flush sends nothing) and sends each report with its id as Idempotency-Key, after
 *   marking it `sending`: the same guarantees as any other flusher, so a second sender
 *   cannot deliver a report twice. It works with no page open, which is what Background
 *   Sync is for; open pages hear the changes on the ledger channel.
 */
import {
  cleanupOutdatedCaches,
  createHandlerBoundToURL,
  precacheAndRoute,
  type PrecacheEntry,
} from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CacheFirst, NetworkFirst } from 'workbox-strategies';
import { setCacheNameDetails } from 'workbox-core';
import { openLedgerDb } from '../ledger/ledger-schema';
import { systemClock } from '../outbox/clock';
import { OutboxScheduler } from '../outbox/outbox-scheduler';
import { indexedDbTaskCache } from '../outbox/task-cache';
import { TaskSource } from '../outbox/task-source';
import { LEDGER_CHANNEL } from '../release/index';
import { ledgerDelta } from '../release/ledger-delta';
import { OUTBOX_SYNC_TAG, SKIP_WAITING_MESSAGE } from './sync-tag';
import { dropStaleModelFiles, isModelFile, modelRevision } from './model-files';

/** Bump when the cache layout changes: caches of other versions are deleted on activate. */
const CACHE_VERSION = 'v1';
const CACHE_PREFIX = 'obscura';

interface SyncEvent extends ExtendableEvent {
  readonly tag: string;
  readonly lastChance: boolean;
}

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (string | PrecacheEntry)[] };

setCacheNameDetails({ prefix: CACHE_PREFIX, suffix: CACHE_VERSION, precache: 'precache', runtime: 'runtime' });
// The page writes here too (src/app/app-config.ts).
const configCache = `${CACHE_PREFIX}-config-${CACHE_VERSION}`;
// The engine writes here too (src/engine/backends/wasm-cache.ts, which the service worker may not import).
const wasmCache = `${CACHE_PREFIX}-wasm-${CACHE_VERSION}`;
// The engine writes here too (src/engine/worker/model-cache.ts).
const modelCache = `${CACHE_PREFIX}-model-${CACHE_VERSION}`;
const codeCache = `${CACHE_PREFIX}-code-${CACHE_VERSION}`;

const manifest = self.__WB_MANIFEST;
precacheAndRoute(manifest.filter((entry) => !isModelFile(entry)));
cleanupOutdatedCaches();
// Every navigation gets the precached shell: the app routes nothing on the server. The widget page
// and Obscura's window come from the server with their own headers (Workbox tests path and query).
registerRoute(
  new NavigationRoute(createHandlerBoundToURL('index.html'), {
    denylist: [/^\/widget\.html(\?|$)/, /^\/connect\.html(\?|$)/],
  }),
);
// Where reports go: fresh when online, the last answer when offline (releases then queue).
registerRoute(
  ({ url }) => url.origin === self.location.origin && url.pathname.endsWith('/config.json'),
  new NetworkFirst({ cacheName: configCache, networkTimeoutSeconds: 5 }),
);

// The WASM build this browser uses, once fetched (the engine stores it too, when it ran before this worker
// controlled it); fingerprinted, so a cached copy is never stale (its
// name changes only with the tfjs version).
registerRoute(
  ({ url }) => url.origin === self.location.origin && /\/assets\/[^/]+\.wasm$/.test(url.pathname),
  new CacheFirst({ cacheName: wasmCache }),
);
// The model files, from the engine's first fetch or the first one that passes here.
registerRoute(
  ({ url }) => url.origin === self.location.origin && /\/models\//.test(url.pathname),
  new CacheFirst({ cacheName: modelCache }),
);
// Engine chunks left out of the precache (another backend's code): fingerprinted, kept once fetched.
registerRoute(
  ({ url }) => url.origin === self.location.origin && /\/assets\/[^/]+\.js$/.test(url.pathname),
  new CacheFirst({ cacheName: codeCache }),
);

// Not read at install: the page keeps the copy it fetched before this worker controlled it
// (src/app/app-config.ts), so a first visit fetches the config once.

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const current = (name: string) => name.startsWith(`${CACHE_PREFIX}-`) && name.endsWith(`-${CACHE_VERSION}`);
      const names = await caches.keys();
      await Promise.all(
        names.filter((n) => n.startsWith(`${CACHE_PREFIX}-`) && !current(n)).map((n) => caches.delete(n)),
      );
      await dropStaleModelFiles(modelCache, modelRevision(manifest));
      // The first install takes the open pages at once (there is no older version to keep).
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  if ((event.data as { type?: unknown } | null)?.type === SKIP_WAITING_MESSAGE) void self.skipWaiting();
});

self.addEventListener('sync', (event) => {
  const sync = event as SyncEvent;
  if (sync.tag === OUTBOX_SYNC_TAG) sync.waitUntil(flushFromServiceWorker());
});

/** How long one sync event may keep sending: reports whose retry falls later wait for the next sync. */
const SYNC_BUDGET_MS = 60_000;

/**
 * Sends what is due, and again when the reporter's backoff makes the rest due, for up to a minute
 * (the same scheduler as the release worker's); rejects while reports still wait on the network,
 * so the browser fires the sync again later.
 */
async function flushFromServiceWorker(): Promise<void> {
  const db = await openLedgerDb();
  const channel = new BroadcastChannel(LEDGER_CHANNEL);
  // One delta per commit, in commit order.
  let told: Promise<unknown> = Promise.resolve();
  // Queued reports are checked against their collector's task here too, as the release worker does.
  const tasks = new TaskSource(indexedDbTaskCache());
  const outbox = new OutboxScheduler({
    open: async () => db,
    clock: systemClock,
    onChange: (ids) => {
      told = told.then(async () => channel.postMessage(await ledgerDelta(db, { ids }, Date.now()))).catch(() => 0);
    },
    recheck: () => tasks.round(),
  });
  try {
    const result = await outbox.drain(Date.now() + SYNC_BUDGET_MS);
    if (result.waiting > 0 && result.nextDueAt !== null)
      throw new Error(`${result.waiting} report(s) wait; the browser retries the sync later`);
  } finally {
    await told;
    channel.close();
    db.close();
  }
}
