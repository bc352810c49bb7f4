/**
 * One collector per data folder. PGlite opens a folder that another process (or
 * another PGlite in this one) already has open without complaint, and two writers
 * corrupt it, so the folder carries a lock file naming its owner's pid. A lock
 * whose process is gone is taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ObscuraError } from '../src/errors';

const LOCK = 'obscura-collector.lock';
const held = new Set<string>();

/** Takes the lock on `dataDir` (creating the folder) and returns its release function. */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      held.add(path);
      return () => {
        if (held.delete(path)) rmSync(path, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readFileSync(path, 'utf8'));
      if (held.has(path) || (owner !== process.pid && alive(owner))) {
        throw new ObscuraError(
          'StorageUnavailableError',
          `collector data folder ${dataDir} is in use by process ${owner}; stop it or choose another --data`,
          { dataDir, owner },
        );
      }
      rmSync(path, { force: true }); // stale: its process has exited
    }
  }
  throw new ObscuraError('StorageUnavailableError', `could not lock collector data folder ${dataDir}`, { dataDir });
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
