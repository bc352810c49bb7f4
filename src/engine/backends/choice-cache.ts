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

export async function writeCachedChoice(key: string, backend: BackendName, timings: Timings): Promise<void> {
  try {
    const db = await openDB<ChoiceSchema>(DB_NAME, 1, { upgrade: (d) => d.createObjectStore('choices') });
    await db.put('choices', { backend, timings, at: Date.now() }, key);
    db.close();
  } catch {
    // A cache that cannot be written only costs a calibration next time.
  }
}
