/**
 * Vite plugin for the engine worker's build: finds the chunks it fetches only on demand (the GPU and
 * CPU backends, all of tfjs-wasm's kernels, the graph-model loader) so the service worker does not
 * precache them. A browser runs one backend; precaching the others would download them on every
 * first visit. The service worker caches such a chunk at runtime when the engine fetches it.
 */
import type { Plugin } from 'vite';

/** File names (as in the build's output, `assets/x-hash.js`) of chunks only a dynamic tfjs import reaches. */
const onDemand = new Set<string>();
/** File names some worker build loads at its start: never left out, whatever another build found. */
const atStart = new Set<string>();

interface ChunkLike {
  readonly type: 'chunk' | 'asset';
  readonly fileName: string;
  readonly isEntry?: boolean;
  readonly facadeModuleId?: string | null;
  readonly imports?: readonly string[];
  readonly dynamicImports?: readonly string[];
}

/** The chunks `roots` need to run: themselves and what they import statically, transitively. */
function staticClosure(bundle: Record<string, ChunkLike>, roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    stack.push(...(bundle[name]?.imports ?? []));
  }
  return seen;
}

export function lazyChunks(): Plugin {
  return {
    name: 'obscura:lazy-chunks',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks = bundle as unknown as Record<string, ChunkLike>;
      const all = Object.values(chunks).filter((c) => c.type === 'chunk');
      const entries = all.filter((c) => c.isEntry).map((c) => c.fileName);
      const start = staticClosure(chunks, entries);
      const lazyRoots = all
        .flatMap((c) => c.dynamicImports ?? [])
        .filter((name) => /[\\/]@tensorflow[\\/]/.test(chunks[name]?.facadeModuleId ?? ''));
      for (const name of start) atStart.add(name);
      for (const name of staticClosure(chunks, lazyRoots)) if (!start.has(name)) onDemand.add(name);
    },
  };
}

/** True for a chunk the service worker should not precache (call after the worker builds ran). */
export function isOnDemandChunk(url: string): boolean {
  return onDemand.has(url) && !atStart.has(url);
}
