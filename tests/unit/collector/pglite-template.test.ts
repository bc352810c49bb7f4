// A collector database started from a migrated template (tests/support/pglite-template.ts, which the test
// collectors use) must be the database initdb and the migrations make: the same tables, columns, indexes,
// constraints, functions, partitions and migration rows. The migrations still run on a template, so one of an
// older schema is brought up to date, and a changed schema never gets the template of another.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Database } from '../../../collector/db/database';
import { MIGRATIONS, migrate } from '../../../collector/db/migrations';
import { pgliteDatabase } from '../../../collector/db/pglite';
import { openCollector } from '../../../collector/server';
import { ReportStore } from '../../../collector/store';
import { collectorTemplate, currentTemplateKey, storedTemplate, templateKey } from '../../support/pglite-template';

const NOW = new Date('2026-03-04T05:06:07Z');

/** Everything of a database's schema that names, not object ids, describe. */
const SCHEMA_QUERIES = {
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
  migrations: `select version, name from collector_migrations order by version`,
} as const;

async function schemaOf(db: Database): Promise<Record<string, unknown[]>> {
  const schema: Record<string, unknown[]> = {};
  for (const [name, sql] of Object.entries(SCHEMA_QUERIES)) schema[name] = (await db.query(sql)).rows;
  return schema;
}

async function schemaOfStore(options: Parameters<typeof ReportStore.open>[0]): Promise<Record<string, unknown[]>> {
  const store = await ReportStore.open({ ...options, clock: () => NOW });
  try {
    return await schemaOf(store.database);
  } finally {
    await store.close();
  }
}

let fresh: Promise<Record<string, unknown[]>> | undefined;

/** The schema of a store on a database made by initdb and the migrations (made once: it costs seconds of CPU). */
function freshSchema(): Promise<Record<string, unknown[]>> {
  fresh ??= schemaOfStore({});
  return fresh;
}

test('a store started from the template has the schema of one made by initdb and the migrations', async () => {
  const made = await freshSchema();
  const templated = await schemaOfStore({ pgliteTemplate: await collectorTemplate() });
  assert.ok(made['columns']!.length > 20 && made['functions']!.length >= 6, 'the queries see the schema');
  const partitions = made['relations']!.filter((r) => (r as { relispartition: boolean }).relispartition);
  assert.ok(partitions.length >= 2, "today's and tomorrow's partitions (and their indexes)");
  assert.deepEqual(templated, made);
});

test('a new data folder starts from the template; a folder that holds a database opens as it is', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'obscura-template-'));
  try {
    const template = await collectorTemplate();
    const first = await ReportStore.open({ dataDir, pgliteTemplate: template, clock: () => NOW });
    await first.database.query(`insert into scope_groups (scope, groups) values ('kept', 1)`);
    await first.close();
    const again = await ReportStore.open({ dataDir, pgliteTemplate: template, clock: () => NOW });
    try {
      assert.deepEqual((await again.database.query('select scope from scope_groups')).rows, [{ scope: 'kept' }]);
      assert.deepEqual(await schemaOf(again.database), await freshSchema());
    } finally {
      await again.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('migrations find nothing to do on the template and bring an older template up to date', async () => {
  const pg = new PGlite({ loadDataDir: await collectorTemplate() });
  await pg.waitReady;
  let old: Blob;
  try {
    assert.deepEqual(await migrate(pgliteDatabase(pg)), []);
    // The schema as it was before migration 2: its tables and its row taken away.
    await pg.exec(`drop table train_versions, train_rounds; delete from collector_migrations where version = 2`);
    const oldSchema = await schemaOf(pgliteDatabase(pg));
    assert.deepEqual(oldSchema['migrations'], [{ version: 1, name: MIGRATIONS[0]!.name }]);
    old = await pg.dumpDataDir('none');
  } finally {
    await pg.close();
  }
  assert.deepEqual(await schemaOfStore({ pgliteTemplate: old }), await freshSchema());
});

test('a template is reused only by the same migrations on the same PGlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'obscura-templates-'));
  try {
    let made = 0;
    const make = async () => new Blob([`template ${++made}`]);
    const key = templateKey('-- migrations A', '0.5.16');
    assert.equal(await (await storedTemplate(dir, key, make)).text(), 'template 1');
    assert.equal(await (await storedTemplate(dir, key, make)).text(), 'template 1', 'read back, not made again');
    const others = [templateKey('-- migrations B', '0.5.16'), templateKey('-- migrations A', '0.5.17')];
    for (const other of others) {
      assert.notEqual(other, key);
      assert.equal(await (await storedTemplate(dir, other, make)).text(), `template ${made}`);
    }
    assert.equal(made, 3);
    assert.deepEqual((await readdir(dir)).sort(), [key, ...others].map((k) => `${k}.tar`).sort(), 'nothing partial');
    assert.match(currentTemplateKey(), /^collector-[0-9a-f]{24}$/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a template is for PGlite: with a PostgreSQL server it is refused', async () => {
  await assert.rejects(
    openCollector({ databaseUrl: 'postgres://127.0.0.1:1/none', pgliteTemplate: new Blob([]) }),
    (err: Error) => err.name === 'InvalidParameterError' && /pgliteTemplate/.test(err.message),
  );
});
