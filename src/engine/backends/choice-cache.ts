import { openDB, type DBSchema } from 'idb';
import type { BackendName, Timings } from './backend-choice';

interface ChoiceSchema extends DBSchema {
  choices: { key: string; value: { backend: BackendName; timings: Timings; at: number } };
}

const DB_NAME = 'obscura-engine';

/** Remembers a calibrated backend choice per (browser, adapters, model), so calibration runs once. */
export async function readCachedChoice(key: string): Promise<{ backend: BackendName; timings: Timings } | undefined> {
  try {
    const db = await openDB<ChoiceSchema>(DB_NAME, 1, { upgrade: (d) => d.createObjectStore('choices') });
    const hit = await db.get('choices', key);
    db.close();
    return hit;
  } catch {
    // No IndexedDB (private mode, storage disabled): calibrate every time.
    return undefined;
  }
}

/**
 * Whether any calibration here chose a backend other than WASM (on any adapters, for any model): when none
 * did, WASM starts first whatever the probes find, so the engine may start it before they finish.
 */
export async function cachedOtherThanWasm(): Promise<boolean> {
  try {
    // On a first visit there is no such database, and opening it would make it (a write, slow under load).
    const names = (await indexedDB.databases()).map((d) => d.name);
    if (!names.includes(DB_NAME)) return false;
    const db = await openDB<ChoiceSchema>(DB_NAME, 1, { upgrade: (d) => d.createObjectStore('choices') });
    // A handful of entries at most: one per browser version, adapters, model and layer calibrated here.
    const all = await db.getAll('choices');
    db.close();
    return all.some((choice) => choice.backend !== 'wasm');
  } catch {
    return false;
  }
}

export async function writeCachedChoice(key: string, backend: BackendName, timings: Timings): Promise<void> {
  try {
    const db = await openDB<ChoiceSchema>(DB_NAME, 1, { upgrade: (d) => d.createObjectStore('choices') });
    await db.put('choices', { backend, timings, at: Date.now() }, key);
    db.close();
  } catch {
    // A cache that cannot be written only costs a calibration next time.
  }
}
