/**
 * The collector's database as the tests start it: PGlite with the collector's migrations applied and nothing
 * else, as a data-directory tarball (PGlite's `dumpDataDir`). A database loaded from it costs about 0.6 s of
 * CPU where initdb and the migrations cost about 2 s, and the tests start some fifty collectors a run. The
 * aggregators' database likewise: PGlite with the aggregator's tables (about ten aggregators a run).
 *
 * The first file of a run to need it makes it and leaves it in the run's folder (run-dir.ts) under a hash
 * of the migrations' source and PGlite's version, so that a changed schema is never given an old template;
 * each file after it reads it. Every store opened from it still runs its migrations (collector/store.ts) or
 * its schema (aggregator/store.ts).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { AGGREGATOR_SCHEMA } from '../../aggregator/store';
import { migrate } from '../../collector/db/migrations';
import { pgliteDatabase } from '../../collector/db/pglite';
import { runDir } from '../e2e/support/run-dir';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A new PGlite database with every migration of the collector applied, as a data-directory tarball. */
export async function makeCollectorTemplate(): Promise<Blob> {
  const pg = new PGlite();
  await pg.waitReady;
  try {
    await migrate(pgliteDatabase(pg));
    return await pg.dumpDataDir('none');
  } finally {
    await pg.close();
  }
}

/** A new PGlite database holding the aggregator's tables, as a data-directory tarball. */
export async function makeAggregatorTemplate(): Promise<Blob> {
  const pg = new PGlite();
  await pg.waitReady;
  try {
    await pg.exec(AGGREGATOR_SCHEMA);
    return await pg.dumpDataDir('none');
  } finally {
    await pg.close();
  }
}

/** The name of a template of `database` made by this schema (its source text) on this PGlite version. */
export function templateKey(
  schemaSource: string,
  pgliteVersion: string,
  database: 'collector' | 'aggregator' = 'collector',
): string {
  const hash = createHash('sha256').update(pgliteVersion).update('\0').update(schemaSource).digest('hex');
  return `${database}-${hash.slice(0, 24)}`;
}

function pgliteVersion(): string {
  const pglite = JSON.parse(readFileSync(join(ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as {
    version: string;
  };
  return pglite.version;
}

/** The key of a template made by the migrations and the PGlite in this tree now. */
export function currentTemplateKey(): string {
  return templateKey(readFileSync(join(ROOT, 'collector/db/migrations.ts'), 'utf8'), pgliteVersion());
}

/** The key of an aggregator template made by the aggregator's schema and the PGlite in this tree now. */
export function currentAggregatorTemplateKey(): string {
  return templateKey(AGGREGATOR_SCHEMA, pgliteVersion(), 'aggregator');
}

/**
 * The template `dir/<key>.tar`: read when there, else made by `make` and left there for the next file.
 * It is written beside its place and renamed into it, so a file starting meanwhile reads all of it or
 * none. Without a folder (outside the test runner) it is made.
 */
export async function storedTemplate(
  dir: string | undefined,
  key: string,
  make: () => Promise<Blob> = makeCollectorTemplate,
): Promise<Blob> {
  if (!dir) return make();
  const file = join(dir, `${key}.tar`);
  try {
    return new Blob([await readFile(file)]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const template = await make();
  const staging = `${file}.${process.pid}.partial`;
  try {
    await writeFile(staging, new Uint8Array(await template.arrayBuffer()));
    await rename(staging, file);
  } finally {
    await rm(staging, { force: true });
  }
  return template;
}

let current: Promise<Blob> | undefined;
let currentAggregator: Promise<Blob> | undefined;

/** This run's template of the collector's database (made once per process outside the runner). */
export function collectorTemplate(): Promise<Blob> {
  current ??= storedTemplate(runDir('pglite-templates'), currentTemplateKey());
  return current;
}

/** This run's template of an aggregator's database (made once per process outside the runner). */
export function aggregatorTemplate(): Promise<Blob> {
  currentAggregator ??= storedTemplate(
    runDir('pglite-templates'),
    currentAggregatorTemplateKey(),
    makeAggregatorTemplate,
  );
  return currentAggregator;
}
