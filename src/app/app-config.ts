/**
 * The app's /config.json (where reports go), fetched fresh. A copy is kept in the service worker's
 * config cache (src/sw/sw.ts names it the same), which answers with it when offline: on a first visit
 * the page fetches it before the service worker controls the page, and this is the only fetch of it.
 */
export const CONFIG_CACHE_NAME = 'obscura-config-v1';

export async function fetchAppConfig(): Promise<Response> {
  const response = await fetch('config.json', { cache: 'no-store' });
  if (response.ok && typeof caches !== 'undefined') {
    const copy = response.clone();
    void caches
      .open(CONFIG_CACHE_NAME)
      .then((cache) => cache.put(new URL('config.json', location.href).href, copy))
      .catch(() => undefined);
  }
  return response;
}
