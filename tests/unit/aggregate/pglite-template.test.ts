// An aggregator's database started from a template (tests/support/pglite-template.ts, which the test aggregators
// use) must be the database initdb and the aggregator's schema make: the same tables, columns, indexes,
// constraints and sequences, and no rows. A folder that already holds a database opens as it is, the template
// is named by the schema it was made by, and it is refused beside a PostgreSQL server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAggregator } from '../../../aggregator/server';
import { AGGREGATOR_SCHEMA, AggregatorStore } from '../../../aggregator/store';
import { schemaOf } from '../../support/pglite-schema';
import {
  aggregatorTemplate,
  currentAggregatorTemplateKey,
  currentTemplateKey,
  templateKey,
} from '../../support/pglite-template';

async function schemaOfStore(where: Parameters<typeof AggregatorStore.open>[0]): Promise<Record<string, unknown[]>> {
  const store = await AggregatorStore.open(where);
  try {
    return { ...(await schemaOf(store.db)), counts: [await store.counts()] };
  } finally {
    await store.close();
  }
}

let fresh: Promise<Record<string, unknown[]>> | undefined;

/** The schema of a store on a database made by initdb and the schema (made once: it costs seconds of CPU). */
function freshSchema(): Promise<Record<string, unknown[]>> {
  fresh ??= schemaOfStore({});
  return fresh;
}

test("a store started from the template has the schema of one made by initdb and the aggregator's schema", async () => {
  const made = await freshSchema();
  const templated = await schemaOfStore({ pgliteTemplate: await aggregatorTemplate() });
  const tables = made['relations']!.filter((r) => (r as { relkind: string }).relkind === 'r');
  assert.deepEqual(tables.map((r) => (r as { relname: string }).relname).sort(), ['batches', 'reports']);
  assert.ok(made['columns']!.length >= 13 && made['indexes']!.length >= 3, 'the queries see the schema');
  assert.equal(made['sequences']!.length, 1, "the reports' seq");
  assert.deepEqual(made['counts'], [{ uploaded: 0, valid: 0, invalid: 0, batched: 0 }]);
  assert.deepEqual(templated, made);
});

test('a new data folder starts from the template; a folder that holds a database opens as it is', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'obscura-aggregator-template-'));
  try {
    const template = await aggregatorTemplate();
    const first = await AggregatorStore.open({ dataDir, pgliteTemplate: template });
    assert.equal(await first.upload('kept', new Uint8Array([1]), new Uint8Array([2])), 'stored');
    await first.close();
    const again = await AggregatorStore.open({ dataDir, pgliteTemplate: template });
    try {
      assert.equal((await again.get('kept'))?.state, 'uploaded');
      const { counts: _, ...schema } = await freshSchema();
      assert.deepEqual(await schemaOf(again.db), schema);
    } finally {
      await again.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test("an aggregator template is named by its schema and PGlite's version, apart from the collector's", () => {
  const key = currentAggregatorTemplateKey();
  assert.match(key, /^aggregator-[0-9a-f]{24}$/);
  assert.notEqual(key.slice('aggregator-'.length), currentTemplateKey().slice('collector-'.length));
  assert.notEqual(templateKey(`${AGGREGATOR_SCHEMA} create table other (x int);`, '0.5.16', 'aggregator'), key);
  assert.notEqual(templateKey(AGGREGATOR_SCHEMA, '0.0.0', 'aggregator'), key);
});

test('a template is for PGlite: with a PostgreSQL server it is refused', async () => {
  await assert.rejects(
    startAggregator({
      role: 'helper',
      port: 0,
      dims: 4,
      bits: 4,
      nMin: 2,
      verifyKey: randomBytes(16).toString('base64url'),
      peerToken: 'p',
      analystToken: 'a',
      databaseUrl: 'postgres://127.0.0.1:1/none',
      pgliteTemplate: new Blob([]),
    }),
    (err: Error) => err.name === 'InvalidParameterError' && /pgliteTemplate/.test(err.message),
  );
});
