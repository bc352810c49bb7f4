/**
 * Registers the offline service worker (production builds only; the dev server has none),
 * announces a new version once it has installed and waits, and asks for a Background
 * Sync of the outbox while the page is offline, so queued reports leave when the browser
 * sees the network again even if this page has closed by then.
 */
import { LEDGER_CHANNEL } from '../release/index';
import { OUTBOX_SYNC_TAG, SKIP_WAITING_MESSAGE } from '../sw/sync-tag';

/** Activates the waiting version; the page reloads into it once it controls the page. */
export type AcceptUpdate = () => void;

interface SyncManagerLike {
  register(tag: string): Promise<void>;
}

export async function registerServiceWorker(onUpdateReady: (accept: AcceptUpdate) => void): Promise<void> {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  const registration = await navigator.serviceWorker.register(new URL('sw.js', document.baseURI), { scope: './' });

  let announced = false;
  const announce = (waiting: ServiceWorker) => {
    // Only an update waits behind a controller; the very first install takes the page by itself.
    if (announced || !navigator.serviceWorker.controller) return;
    announced = true;
    onUpdateReady(() => {
      navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true });
      waiting.postMessage({ type: SKIP_WAITING_MESSAGE });
    });
  };
  const watch = (worker: ServiceWorker) => {
    if (worker.state === 'installed') announce(worker);
    else worker.addEventListener('statechange', () => worker.state === 'installed' && announce(worker));
  };
  if (registration.waiting) announce(registration.waiting);
  if (registration.installing) watch(registration.installing);
  registration.addEventListener('updatefound', () => registration.installing && watch(registration.installing));

  const sync = (registration as ServiceWorkerRegistration & { sync?: SyncManagerLike }).sync;
  if (!sync) return; // No Background Sync here: the release worker sends on `online` and on its next start.
  const requestSync = () => {
    if (!navigator.onLine) void sync.register(OUTBOX_SYNC_TAG).catch(() => undefined);
  };
  window.addEventListener('offline', requestSync);
  // A release queued while offline: make sure a sync is pending for it.
  new BroadcastChannel(LEDGER_CHANNEL).addEventListener('message', requestSync);
  requestSync();
}
