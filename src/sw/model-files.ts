/**
 * The model files in the service worker: not precached (the engine's own fetch on the first visit
 * fills their cache, src/engine/worker/model-cache.ts, so they cross the network once), but still
 * listed in the build's manifest, whose revisions tell when a new build ships other model files.
 */
import type { PrecacheEntry } from 'workbox-precaching';

/** The key under which the model cache records which build's model files it holds. */
const REVISION_KEY = '/__obscura-model-revision';

const urlOf = (entry: string | PrecacheEntry) => (typeof entry === 'string' ? entry : entry.url);

export function isModelFile(entry: string | PrecacheEntry): boolean {
  return /^\/?models\//.test(urlOf(entry));
}

/** One string naming the model files of this build and their revisions. */
export function modelRevision(entries: readonly (string | PrecacheEntry)[]): string {
  return entries
    .filter(isModelFile)
    .map((e) => (typeof e === 'string' ? e : `${e.url}@${e.revision ?? ''}`))
    .sort()
    .join(',');
}

/**
 * Empties the model cache when it holds another build's files (they are fetched again when next
 * used), then records this build's revision. On the first install there is no record: the files
 * there were fetched moments ago from the build that installed this worker, and stay.
 */
export async function dropStaleModelFiles(cacheName: string, revision: string): Promise<void> {
  const cache = await caches.open(cacheName);
  const recorded = await cache.match(REVISION_KEY);
  if (recorded && (await recorded.text()) === revision) return;
  if (recorded) for (const request of await cache.keys()) await cache.delete(request);
  await cache.put(REVISION_KEY, new Response(revision));
}
