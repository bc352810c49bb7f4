/**
 * The person's labelled examples for training tasks, in the origin's first-party IndexedDB, in a
 * database of their own (the ledger's stores keep their shape): each is a clean feature vector, its
 * model and the label the person gave, for one task of one collector. They never leave the device;
 * only a round's clipped, noised, secret-shared update computed from them does. They stay until the
 * person removes them.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { ObscuraError } from '../errors';
import type { ModelRef } from '../model-ref';

export interface StoredTrainExample {
  readonly id: string;
  /** The collector that declared the task, and the task's scope. */
  readonly collector: string;
  readonly task: string;
  readonly label: string;
  /** The image's content hash (the engine's), so labelling the same image again replaces its label. */
  readonly contentHash?: string;
  readonly model: ModelRef;
  readonly features: number[];
  readonly addedAt: number;
}

interface ExamplesSchema extends DBSchema {
  examples: { key: string; value: StoredTrainExample; indexes: { task: [string, string] } };
}

export const TRAIN_EXAMPLES_DB = 'obscura-train-examples';
/** The most examples one task keeps on a device: a local update reads them all, every round. */
export const TRAIN_EXAMPLES_MAX = 10_000;

export class TrainExamples {
  private db: Promise<IDBPDatabase<ExamplesSchema>> | undefined;

  constructor(private readonly name = TRAIN_EXAMPLES_DB) {}

  private open(): Promise<IDBPDatabase<ExamplesSchema>> {
    if (typeof indexedDB === 'undefined')
      return Promise.reject(
        new ObscuraError('StorageUnavailableError', 'IndexedDB is not available: examples cannot be kept'),
      );
    this.db ??= openDB<ExamplesSchema>(this.name, 1, {
      upgrade(db) {
        db.createObjectStore('examples', { keyPath: 'id' }).createIndex('task', ['collector', 'task']);
      },
      blocking: () => {
        void this.db?.then((db) => db.close());
        this.db = undefined;
      },
    }).catch((err: unknown) => {
      this.db = undefined;
      throw new ObscuraError('StorageUnavailableError', `the examples could not be opened: ${(err as Error).message}`);
    });
    return this.db;
  }

  /** Keeps the example; an example of the same image for the same task is replaced (its label changed). */
  async add(example: Omit<StoredTrainExample, 'id'>): Promise<StoredTrainExample> {
    const db = await this.open();
    const tx = db.transaction('examples', 'readwrite');
    const kept = await tx.store.index('task').getAll([example.collector, example.task]);
    const same =
      example.contentHash === undefined ? undefined : kept.find((e) => e.contentHash === example.contentHash);
    if (same) {
      const relabelled = { ...example, id: same.id };
      void tx.store.put(relabelled);
      await tx.done;
      return relabelled;
    }
    const count = kept.length;
    if (count >= TRAIN_EXAMPLES_MAX) {
      tx.abort();
      throw new ObscuraError('InvalidParameterError', `task "${example.task}" already has ${count} examples here`, {
        parameter: 'examples',
      });
    }
    const stored = { ...example, id: crypto.randomUUID() };
    void tx.store.add(stored);
    await tx.done;
    return stored;
  }

  async list(collector: string, task: string): Promise<StoredTrainExample[]> {
    return (await this.open()).getAllFromIndex('examples', 'task', [collector, task]);
  }

  /** Removes the listed examples of the task, or all of them; resolves to how many went. */
  async remove(collector: string, task: string, ids?: readonly string[]): Promise<number> {
    const db = await this.open();
    const tx = db.transaction('examples', 'readwrite');
    const keys = await tx.store.index('task').getAllKeys([collector, task]);
    const gone = ids === undefined ? keys : keys.filter((k) => ids.includes(k));
    for (const k of gone) void tx.store.delete(k);
    await tx.done;
    return gone.length;
  }
}
