/**
 * The codebook a category release names: an object the page passed, or a URL this worker
 * fetches once. Both are validated and hash-checked (load-codebook.ts), so a release never
 * reads a codebook whose content differs from the hash its id is published with.
 */
import { ObscuraError } from '../errors';
import { parseCodebook, parseCodebookJson } from '../codebook/load-codebook';
import type { Codebook } from '../codebook/codebook-schema';

/** Codebooks by URL; a handful per app, so no eviction beyond a small bound. */
const LIMIT = 16;
const byUrl = new Map<string, Promise<Codebook>>();

async function fetchCodebook(url: string, fetcher: typeof fetch): Promise<Codebook> {
  let text: string;
  try {
    const res = await fetcher(url);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    text = await res.text();
  } catch (err) {
    throw new ObscuraError('CodebookLoadError', `could not load the codebook at ${url}: ${(err as Error).message}`, {
      url,
    });
  }
  return parseCodebookJson(text);
}

/** The codebook itself, checked; a URL is fetched on first use and kept (a failed fetch is not kept). */
export function resolveCodebook(source: Codebook | string, fetcher: typeof fetch = fetch): Promise<Codebook> {
  if (typeof source !== 'string') return parseCodebook(source);
  let hit = byUrl.get(source);
  if (!hit) {
    hit = fetchCodebook(source, fetcher);
    if (byUrl.size >= LIMIT) byUrl.delete(byUrl.keys().next().value as string);
    byUrl.set(source, hit);
    hit.catch(() => byUrl.delete(source));
  }
  return hit;
}
