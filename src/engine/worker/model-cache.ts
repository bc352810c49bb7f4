/**
 * The offline app's copy of the model files, made from the engine's own fetch: the service worker
 * precaches no model (that would download it a second time on the first visit) and serves model
 * files from this cache once they are in it (src/sw/sw.ts names it the same and empties it when a
 * new build ships other model files). The engine fills it because on a first visit it starts before
 * the service worker controls it, and its fetch never reaches the worker.
 */
export const MODEL_CACHE_NAME = 'obscura-model-v1';

/** A fetch for tfjs's model loader that keeps a copy of each model file it fetched, once. */
export function fetchKeepingModelFiles(): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (response.ok && typeof caches !== 'undefined') void keep(url, response.clone());
    return response;
  };
}

async function keep(url: string, copy: Response): Promise<void> {
  try {
    const cache = await caches.open(MODEL_CACHE_NAME);
    if (!(await cache.match(url))) await cache.put(url, copy);
  } catch {
    // Storage full or unavailable: offline use needs the network once more, nothing else changes.
  }
}
