/**
 * The aggregator's database connection: PGlite (embedded PostgreSQL, a folder or memory)
 * or a PostgreSQL server through a `pg` pool. The store's SQL is the same on both.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export interface SqlQuery {
  query<T>(sql: string, params?: readonly unknown[]): Promise<{ rows: T[] }>;
}

export interface SqlClient extends SqlQuery {
  /** Runs statements without parameters (the schema). */
  exec(sql: string): Promise<void>;
  /** One transaction: committed when `run` resolves, rolled back when it throws. */
  transaction<T>(run: (tx: SqlQuery) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * `dataDir` persists; without it the database lives in memory. A new database starts as a copy of `template`
 * (a data-directory tarball from PGlite's `dumpDataDir`) when one is given, instead of an empty one made by
 * initdb, which costs about three times the CPU; a folder that already holds a database opens as it is.
 */
export function openPglite(dataDir?: string, template?: Blob): SqlClient {
  const isNew = !dataDir || !existsSync(join(dataDir, 'PG_VERSION'));
  const db = new PGlite({ ...(dataDir ? { dataDir } : {}), ...(template && isNew ? { loadDataDir: template } : {}) });
  return {
    query: async <T>(sql: string, params: readonly unknown[] = []) => ({
      rows: (await db.query<T>(sql, params as unknown[])).rows,
    }),
    exec: async (sql) => void (await db.exec(sql)),
    transaction: (run) =>
      db.transaction((tx) =>
        run({
          query: async <T>(sql: string, params: readonly unknown[] = []) => ({
            rows: (await tx.query<T>(sql, params as unknown[])).rows,
          }),
        }),
      ),
    close: () => db.close(),
  };
}

/** A PostgreSQL server (postgres://…); fails at once, with the server's message, when it cannot be reached. */
export async function openPostgres(url: string, poolSize = 4): Promise<SqlClient> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, application_name: 'obscura-aggregator' });
  // An idle connection the server ends emits 'error' on the pool; without a listener it would end the process.
  pool.on('error', () => {});
  (await pool.connect()).release();
  const wrap = (c: pg.Pool | pg.PoolClient): SqlQuery => ({
    query: async <T>(sql: string, params: readonly unknown[] = []) => ({
      rows: (await c.query(sql, params as unknown[])).rows as T[],
    }),
  });
  return {
    ...wrap(pool),
    exec: async (sql) => void (await pool.query(sql)),
    async transaction(run) {
      const c = await pool.connect();
      let broken: Error | undefined;
      try {
        await c.query('begin');
        const result = await run(wrap(c));
        await c.query('commit');
        return result;
      } catch (err) {
        broken = err as Error;
        await c.query('rollback').catch(() => undefined);
        throw err;
      } finally {
        // A connection that failed mid-transaction may be dead: do not reuse it.
        c.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
