import pg from 'pg';
import type { Database, Queryable } from './database';

// bigint (count(*), int8 columns) as a JS number: counts stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/**
 * A PostgreSQL server through a `pg` connection pool. A connection the server ends
 * (restart, pg_terminate_backend) fails the statements on it; the pool drops it and
 * opens a new one for the next request, so the caller's retry goes through.
 */
export async function openPostgres(url: string, poolSize = 8): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, application_name: 'obscura-collector' });
  // An idle connection killed by the server emits 'error' on the pool; without a listener that would end the process.
  pool.on('error', () => {});
  const client = await pool.connect(); // fail at start, with the server's message, if it cannot be reached
  client.release();
  const wrap = (c: pg.PoolClient | pg.Pool): Queryable => ({
    query: async <T>(sql: string, params: readonly unknown[] = [], name?: string) => ({
      rows: (
        await c.query(
          name ? { name, text: sql, values: params as unknown[] } : { text: sql, values: params as unknown[] },
        )
      ).rows as T[],
    }),
  });
  const withClient = async <T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> => {
    const c = await pool.connect();
    let broken: Error | undefined;
    try {
      return await fn(c);
    } catch (err) {
      broken = err as Error;
      throw err;
    } finally {
      // A connection that failed mid-transaction may be dead or in an aborted state: do not reuse it.
      c.release(broken);
    }
  };
  return {
    engine: 'postgres',
    query: wrap(pool).query,
    transaction: (fn) =>
      withClient(async (c) => {
        await c.query('begin');
        const result = await fn(wrap(c));
        await c.query('commit');
        return result;
      }),
    session: (fn) => withClient((c) => fn(wrap(c))),
    close: () => pool.end(),
  };
}
