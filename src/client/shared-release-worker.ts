/**
 * Starts the release service as a shared worker through a constructor the caller chooses: the
 * widget frame on another site passes its storage-access handle's `SharedWorker`, so the service
 * runs with the app origin's first-party storage.
 */
import sharedWorkerUrl from '../release/release.shared-worker.ts?worker&url';

export type SharedWorkerFactory = (url: string, options?: WorkerOptions) => SharedWorker;

export function startSharedReleaseWorker(create: SharedWorkerFactory): SharedWorker {
  return create(sharedWorkerUrl, { type: 'module', name: 'obscura-release' });
}
