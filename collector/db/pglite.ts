import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable } from './database';

/** PGlite in memory (no `dataDir`) or in a folder. It has one connection: transactions queue behind each other. */
export async function openPglite(dataDir?: string): Promise<Database> {
  const db = dataDir ? new PGlite(dataDir) : new PGlite();
  await db.waitReady;
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
