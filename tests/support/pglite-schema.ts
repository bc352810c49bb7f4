/**
 * Everything of a PostgreSQL database's schema that names, not object ids, describe: what a database started
 * from a template (pglite-template.ts) is compared by with one made by initdb.
 */
export const SCHEMA_QUERIES = {
  databases: `select datname, pg_encoding_to_char(encoding) as encoding, datcollate, datctype from pg_database
              order by datname`,
  namespaces: `select nspname from pg_namespace order by nspname`,
  relations: `select n.nspname, c.relname, c.relkind, c.relpersistence, c.relispartition,
                     pg_get_partkeydef(c.oid) as partkey, pg_get_expr(c.relpartbound, c.oid) as bound
              from pg_class c join pg_namespace n on n.oid = c.relnamespace
              where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
              order by 1, 2`,
  columns: `select table_schema, table_name, column_name, ordinal_position, data_type, udt_name, is_nullable,
                   column_default
            from information_schema.columns where table_schema not in ('pg_catalog', 'information_schema')
            order by 1, 2, 4`,
  indexes: `select schemaname, tablename, indexname, indexdef from pg_indexes
            where schemaname not in ('pg_catalog', 'information_schema') order by 1, 2, 3`,
  constraints: `select conrelid::regclass::text as relation, conname, pg_get_constraintdef(oid) as def
                from pg_constraint where connamespace = 'public'::regnamespace order by 1, 2`,
  functions: `select p.proname, pg_get_function_identity_arguments(p.oid) as args,
                     pg_get_function_result(p.oid) as result, p.prokind, p.provolatile, p.proparallel,
                     p.proisstrict, p.prosrc, a.aggtransfn::text as transfn, a.aggtranstype::regtype::text as state
              from pg_proc p left join pg_aggregate a on a.aggfnoid = p.oid
              where p.pronamespace = 'public'::regnamespace order by 1, 2`,
  sequences: `select sequence_schema, sequence_name, data_type, start_value, increment
              from information_schema.sequences order by 1, 2`,
  inheritance: `select inhrelid::regclass::text as child, inhparent::regclass::text as parent from pg_inherits
                order by 1`,
} as const;

export interface SchemaQueryable {
  query<T>(sql: string): Promise<{ rows: T[] }>;
}

/** The rows of each of `queries` (SCHEMA_QUERIES and any of the caller's own). */
export async function schemaOf(
  db: SchemaQueryable,
  queries: Readonly<Record<string, string>> = SCHEMA_QUERIES,
): Promise<Record<string, unknown[]>> {
  const schema: Record<string, unknown[]> = {};
  for (const [name, sql] of Object.entries(queries)) schema[name] = (await db.query<unknown>(sql)).rows;
  return schema;
}
