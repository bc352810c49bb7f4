/**
 * The collectors' declared tasks as this device last read them, by the URL they were read at,
 * each with its version. Kept in the first-party store (the release worker's origin), so a
 * release offline can still be checked against the task it was last seen with. A database of
 * its own: it holds nothing the budget depends on, and can be dropped without touching it.
 */
import { openDB, type DBSchema } from 'idb';
import type { Task } from '../report/task';

/** What a collector answered at one URL: its tasks (null: it declared none for that scope) and their version. */
export interface CachedTasks {
  readonly url: string;
  /** "sha256:…" of the collector's whole declaration; absent when it declared nothing there. */
  readonly version?: string;
  readonly tasks: readonly Task[] | null;
  /** When it was read (ms since the epoch). */
  readonly readAt: number;
}

export interface TaskCache {
  get(url: string): Promise<CachedTasks | undefined>;
  put(entry: CachedTasks): Promise<void>;
}

interface TaskCacheSchema extends DBSchema {
  tasks: { key: string; value: CachedTasks };
}

export const TASK_CACHE_DB = 'obscura-tasks';

/**
 * The IndexedDB cache; where IndexedDB cannot be opened the device keeps tasks in memory
 * for this worker's life (the release itself then fails on the ledger, which needs it too).
 */
export function indexedDbTaskCache(name = TASK_CACHE_DB): TaskCache {
  if (typeof indexedDB === 'undefined') return memoryTaskCache();
  let db: ReturnType<typeof openDB<TaskCacheSchema>> | undefined;
  const open = () =>
    (db ??= openDB<TaskCacheSchema>(name, 1, {
      upgrade(d) {
        d.createObjectStore('tasks', { keyPath: 'url' });
      },
      blocking() {
        void db?.then((d) => d.close());
        db = undefined;
      },
    }));
  return {
    async get(url) {
      return (await open()).get('tasks', url);
    },
    async put(entry) {
      await (await open()).put('tasks', entry);
    },
  };
}

/** Tasks kept for the life of this object: for Node and for a worker without IndexedDB. */
export function memoryTaskCache(): TaskCache {
  const entries = new Map<string, CachedTasks>();
  return {
    get: (url) => Promise.resolve(entries.get(url)),
    put: (entry) => {
      entries.set(entry.url, entry);
      return Promise.resolve();
    },
  };
}
