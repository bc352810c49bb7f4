/**
 * How the widget frame reaches the one first-party store (device budget, grants, ledger, memo).
 *
 * A frame whose every ancestor is of the app's own site has first-party storage already. A
 * frame on another site is partitioned (or denied) by the browser, so it never opens a ledger
 * of its own: it asks for storage access and runs the release service as a shared worker from
 * the handle, whose storage is the app origin's first-party one; where that is refused or the
 * browser has no such handle, the release goes through Obscura's own first-party window.
 */
import { siteOf } from '../../release/index';

/** What `document.requestStorageAccess({...})` resolves to where the browser has it (Chromium). */
export interface StorageAccessHandle {
  readonly SharedWorker?: (url: string, options?: WorkerOptions) => SharedWorker;
  readonly BroadcastChannel?: (name: string) => BroadcastChannel;
}

type StorageAccessDocument = Document & {
  hasStorageAccess?: () => Promise<boolean>;
  requestStorageAccess?: (types?: Record<string, boolean>) => Promise<StorageAccessHandle | undefined>;
};

/** What the release service needs through the handle. */
const TYPES = { indexedDB: true, locks: true, SharedWorker: true, BroadcastChannel: true };

/** True when every ancestor has this frame's scheme and host name: its storage is first-party as it is. */
export function isFirstPartyFrame(ancestors: readonly string[] | undefined, own: string): boolean {
  if (ancestors === undefined) return false;
  const site = siteOf(own);
  return ancestors.every((origin) => origin !== 'null' && siteOf(origin) === site);
}

/**
 * Whether a storage-access handle can carry the release service here. Chromium binds a handle
 * only for a frame that has third-party cookie access (it ends the frame's process otherwise),
 * so where cookies are blocked the first-party window is used instead.
 */
export async function handleUsable(doc: Document = document): Promise<boolean> {
  const d = doc as StorageAccessDocument;
  if (typeof d.requestStorageAccess !== 'function' || typeof d.hasStorageAccess !== 'function') return false;
  try {
    return await d.hasStorageAccess();
  } catch {
    return false;
  }
}

/** The storage-access permission as the browser states it now ('granted', 'denied', 'prompt'). */
export async function storageAccessPermission(): Promise<PermissionState | 'unknown'> {
  try {
    return (await navigator.permissions.query({ name: 'storage-access' as PermissionName })).state;
  } catch {
    return 'unknown';
  }
}

/** Asks for the handle (needs the person's click unless already granted); undefined when refused. */
export async function requestHandle(doc: Document = document): Promise<StorageAccessHandle | undefined> {
  const d = doc as StorageAccessDocument;
  try {
    const handle = await d.requestStorageAccess?.(TYPES);
    return handle?.SharedWorker && handle.BroadcastChannel ? handle : undefined;
  } catch {
    return undefined;
  }
}
