/**
 * Where the offline app keeps the one WASM build this browser runs (the service worker serves it from
 * here; none is precached). The engine stores the build it loaded itself, because on a first visit it
 * starts before the service worker controls the page, and that fetch never reaches the worker.
 */
/** The service worker's runtime cache for the build (src/sw/sw.ts names it the same). */
export const WASM_CACHE_NAME = 'obscura-wasm-v1';

const kept = new Set<string>();

/** Adds `url` to the cache unless it is there; a failure only means the next visit fetches it again. */
export async function keepWasmBuild(url: string): Promise<void> {
  // Once a page load: the engine may activate the backend twice (early, then to build the model).
  if (typeof caches === 'undefined' || kept.has(url)) return;
  kept.add(url);
  try {
    const cache = await caches.open(WASM_CACHE_NAME);
    if (!(await cache.match(url))) await cache.add(url);
  } catch {
    // Storage full or unavailable: offline use needs the network once more, nothing else changes.
  }
}
