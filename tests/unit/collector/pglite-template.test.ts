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
import { SCHEMA_QUERIES, schemaOf as schemaOfDatabase } from '../../support/pglite-schema';
import { collectorTemplate, currentTemplateKey, storedTemplate, templateKey } from '../../support/pglite-template';

const NOW = new Date('2026-03-04T05:06:07Z');

const COLLECTOR_SCHEMA_QUERIES = {
  ...SCHEMA_QUERIES,
  migrations: `select version, name from collector_migrations order by version`,
};

function schemaOf(db: Database): Promise<Record<string, unknown[]>> {
  return schemaOfDatabase(db, COLLECTOR_SCHEMA_QUERIES);
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
