/**
 * Counts the IndexedDB whole-store reads (getAll, getAllKeys, of a store or an index) of the ledger and the memo
 * made in this worker, and answers `'ask'` on the `test-reads` BroadcastChannel with `{ reads }`. Imported before
 * the worker's own entry, so it is in place before that entry's first request.
 */
const COUNTED = new Set(['ledger', 'memo']);
let reads = 0;
for (const proto of [IDBObjectStore.prototype, IDBIndex.prototype])
  for (const name of ['getAll', 'getAllKeys'] as const) {
    const original = proto[name] as (...args: unknown[]) => IDBRequest;
    (proto as unknown as Record<string, unknown>)[name] = function (
      this: IDBObjectStore | IDBIndex,
      ...args: unknown[]
    ) {
      const store = this instanceof IDBIndex ? this.objectStore.name : this.name;
      if (COUNTED.has(store)) reads++;
      return original.apply(this, args);
    };
  }
new BroadcastChannel('test-reads').onmessage = (e: MessageEvent<unknown>) => {
  if (e.data === 'ask') new BroadcastChannel('test-reads').postMessage({ reads });
};
