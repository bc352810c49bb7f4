import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable } from './database';

export interface PgliteOptions {
  /** The database's folder, kept across restarts; in memory without one. */
  readonly dataDir?: string;
  /**
   * A data directory a new database starts as a copy of (a tarball from PGlite's `dumpDataDir`), instead of an
   * empty one made by initdb, which costs about three times the CPU of loading a copy. A folder that already
   * holds a database opens as it is.
   */
  readonly template?: Blob;
}

/** PGlite in memory or in a folder. It has one connection: transactions queue behind each other. */
export async function openPglite(options: PgliteOptions = {}): Promise<Database> {
  const { dataDir, template } = options;
  const isNew = !dataDir || !existsSync(join(dataDir, 'PG_VERSION'));
  const db = new PGlite({ ...(dataDir ? { dataDir } : {}), ...(template && isNew ? { loadDataDir: template } : {}) });
  await db.waitReady;
  return pgliteDatabase(db);
}

/** The collector's database interface over an open PGlite; closing it closes the PGlite. */
export function pgliteDatabase(db: PGlite): Database {
  const wrap = (q: Pick<PGlite, 'query'>): Queryable => ({
    query: async <T>(sql: string, params: readonly unknown[] = []) => ({
      rows: (await q.query<T>(sql, params as unknown[])).rows,
    }),
  });
  const direct = wrap(db);
  return {
    engine: 'pglite',
    query: direct.query,
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    session: (fn) => fn(direct),
    close: () => db.close(),
  };
}
