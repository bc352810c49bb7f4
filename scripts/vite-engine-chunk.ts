/**
 * The engine worker's start in one file. Rolldown puts modules that the worker's entry shares with the
 * chunks it imports on demand (the other backends) into common chunks, which the worker can fetch only
 * once it has parsed its entry: a second round trip before the engine runs. Grouping everything the
 * entry needs at its start under the entry's own name makes that one chunk; the on-demand chunks import
 * from it.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ModuleInfoLike {
  readonly importedIds: readonly string[];
}
interface ChunkingContextLike {
  getModuleInfo(id: string): ModuleInfoLike | null;
}

const ENGINE_ENTRY = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'src',
  'engine',
  'worker',
  'engine.worker.ts',
);

/** The name (the entry's) of the chunk for modules the engine worker loads at its start; null for the rest. */
export function engineStartChunk(): (id: string, ctx: ChunkingContextLike) => string | null {
  const closures = new WeakMap<ModuleInfoLike, Set<string>>();
  return (id, ctx) => {
    const entry = ctx.getModuleInfo(ENGINE_ENTRY);
    if (!entry) return null;
    let closure = closures.get(entry);
    if (!closure) {
      closure = new Set();
      const stack = [ENGINE_ENTRY];
      while (stack.length > 0) {
        const next = stack.pop()!;
        if (closure.has(next)) continue;
        closure.add(next);
        stack.push(...(ctx.getModuleInfo(next)?.importedIds ?? []));
      }
      closures.set(entry, closure);
    }
    return closure.has(id) ? 'engine.worker' : null;
  };
}
