/**
 * The one database interface of the collector, over two engines that speak the same
 * SQL: PGlite (PostgreSQL 17 compiled to WebAssembly, in this process; the default)
 * and a PostgreSQL server through `pg` (`--database postgres://…`).
 */
export interface Rows<T> {
  readonly rows: T[];
}

/** A connection that runs statements in order; inside `transaction` they share one transaction. */
export interface Queryable {
  /** `name` makes it a prepared statement on a server connection (parsed and planned once per connection). */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[], name?: string): Promise<Rows<T>>;
}

export interface Database extends Queryable {
  /** 'pglite' or 'postgres': what the collector reports in logs and benchmarks. */
  readonly engine: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction on one connection: COMMIT when it resolves, ROLLBACK when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs `fn` holding one connection (session-level state such as advisory locks stays on it). */
  session<T>(fn: (conn: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
