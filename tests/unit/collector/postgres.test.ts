// The collector on a real PostgreSQL server (Debian's, a throwaway cluster for this file):
// migrations under an advisory lock, two stateless collector processes on one database,
// one killed with SIGKILL mid-load and every database connection terminated, the repair
// command, and day partitions dropped for retention.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Aggregates, VectorAggregate } from '../../../collector/group-estimates';
import { estimatesOf } from './recompute';
import { ReportStore } from '../../../collector/store';
import type { Database } from '../../../collector/db/database';
import { partitionDays } from '../../../collector/db/partitions';
import { openPostgres } from '../../../collector/db/postgres';
import { MIGRATIONS } from '../../../collector/db/migrations';
import type { Report } from '../../../src/report/schema';
import { startCollectorProcess, type CollectorProcess } from '../../support/collector-process';
import { startPostgresCluster, type PostgresCluster } from '../../support/postgres-cluster';
import { closeSender, sendAll, type SendItem } from '../../support/report-sender';
import { releasedReport, releasedTask } from './support';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const TOKEN = 'pg-test-token';
let cluster: PostgresCluster;

before(async () => {
  cluster = await startPostgresCluster();
});
after(async () => {
  closeSender();
  await cluster?.stop();
});

const auth = { authorization: `Bearer ${TOKEN}` };

test('concurrent starts apply each migration once, under the advisory lock', async () => {
  const url = await cluster.createDatabase('migrations');
  const stores = await Promise.all([1, 2, 3].map(() => ReportStore.open({ databaseUrl: url })));
  const applied = cluster.psql('select count(*) from collector_migrations', 'migrations').trim();
  assert.equal(applied, String(MIGRATIONS.length));
  assert.equal(stores[0]!.engine, 'postgres');
  await Promise.all(stores.map((s) => s.close()));
});

/** Every stored report, through the NDJSON export. */
/** A look at the database itself, beside the store, on a connection of its own. */
async function withDatabase<T>(url: string, look: (db: Database) => Promise<T>): Promise<T> {
  const db = await openPostgres(url, 1);
  try {
    return await look(db);
  } finally {
    await db.close();
  }
}

async function exported(url: string): Promise<Report[]> {
  const res = await fetch(`${url}/reports?since=1970-01-01T00:00:00Z`, { headers: auth });
  assert.equal(res.status, 200);
  return (await res.text())
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Report);
}

function assertSameVectors(actual: readonly VectorAggregate[], expected: readonly VectorAggregate[]): void {
  assert.equal(actual.length, expected.length);
  for (const e of expected) {
    const a = actual.find((x) => JSON.stringify(x.key) === JSON.stringify(e.key));
    assert.ok(a, `group ${JSON.stringify(e.key)}`);
    assert.equal(a.count, e.count);
    // Float8 sums in another order: |error| ≤ (n−1)·u·Σ|x| per coordinate, far below 1e-9 here.
    e.mean.forEach((m, j) => assert.ok(Math.abs(a.mean[j]! - m) <= 1e-9 * (1 + Math.abs(m)), `mean[${j}]`));
    assert.ok(Math.abs(a.expectedError! - e.expectedError!) <= 1e-9 * e.expectedError!);
    assert.equal(a.theoreticalError, e.theoreticalError);
  }
}

test('2 processes, one SIGKILLed, all connections terminated mid-load: stored once each, totals exact', async (t) => {
  const url = await cluster.createDatabase('faults');
  const args = ['--database', url, '--rate-limit', '0', '--read-token', TOKEN, '--pool', '4'];
  const tasks = [releasedTask('faults'), releasedTask('faults-labels', { name: 'krr', epsilon: 2, k: 10 })];
  const [a, b] = await Promise.all([startCollectorProcess(args, {}, tasks), startCollectorProcess(args, {}, tasks)]);
  let live: CollectorProcess[] = [a, b];
  try {
    // 400 real reports in two groups (PrivUnit 96-d at ε = 4, and k-RR), 10 % sent twice, 1 % invalid.
    const reports = Array.from({ length: 400 }, (_, i) =>
      i % 4 === 3 ? releasedReport('faults-labels', { name: 'krr', epsilon: 2, k: 10 }) : releasedReport('faults'),
    );
    const items: SendItem[] = reports.map((r) => ({ body: JSON.stringify(r), id: r.id }));
    for (let i = 0; i < 40; i++) items.splice(10 * i + 5, 0, items[10 * i]!);
    for (let i = 0; i < 4; i++) items.splice(100 * i + 50, 0, { body: `{"v":1,"id":"broken-${i}"` });

    let killed = false;
    let terminated = false;
    const results = await sendAll(() => live.map((p) => p.url), items, {
      concurrency: 8,
      onProgress: (done) => {
        if (done === 120 && !killed) {
          killed = true;
          live = [b];
          void a.kill9();
        }
        if (done === 260 && !terminated) {
          terminated = true;
          cluster.psql(
            "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'obscura-collector'",
          );
        }
      },
    });
    assert.ok(killed && terminated);
    await a.exited;
    const invalid = results.filter((r) => r.item.id === undefined);
    assert.deepEqual(
      invalid.map((r) => r.status),
      [400, 400, 400, 400],
    );
    const valid = results.filter((r) => r.item.id !== undefined);
    assert.ok(
      valid.every((r) => r.status === 201 || r.status === 200),
      `statuses ${[...new Set(valid.map((r) => r.status))]}`,
    );
    // Whether a request was on the wire at the very moment of the kill or the termination is up to
    // the scheduler; what must hold either way is below (each stored once, totals exact).
    t.diagnostic(`requests cut and retried: ${results.filter((r) => r.attempts > 1).length}`);

    const sentIds = new Set(reports.map((r) => r.id));
    const stored = await exported(b.url);
    assert.equal(stored.length, sentIds.size, 'stored = distinct valid ids sent');
    assert.deepEqual(new Set(stored.map((r) => r.id)), sentIds);
    assert.equal(cluster.psql('select count(*) from report_ids', 'faults').trim(), String(sentIds.size));

    const served = (await (await fetch(`${b.url}/aggregates`, { headers: auth })).json()) as Aggregates;
    const recomputed = estimatesOf(stored);
    assertSameVectors(served.vectors, recomputed.vectors);
    assert.deepEqual(
      served.categories.map((c) => [c.count, c.counts]),
      recomputed.categories.map((c) => [c.count, c.counts]),
    );

    // The repair command re-derives the totals from raw rows; they agree with the incremental ones.
    // Asynchronously: a blocked event loop would miss the server closing idle kept-alive connections.
    const { stdout: out } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', resolve(ROOT, 'collector', 'main.ts'), 'repair', '--database', url],
      { cwd: ROOT, encoding: 'utf8' },
    );
    const repaired = (JSON.parse(out) as { repaired: { groups: number; reports: number } }).repaired;
    assert.deepEqual([repaired.groups, repaired.reports], [2, sentIds.size]);
    const after = (await (await fetch(`${b.url}/aggregates`, { headers: auth })).json()) as Aggregates;
    assertSameVectors(after.vectors, served.vectors);
    assert.deepEqual(
      after.categories.map((c) => c.counts),
      served.categories.map((c) => c.counts),
    );
    const stats = (await (await fetch(`${b.url}/stats`, { headers: auth })).json()) as { reports: number };
    assert.equal(stats.reports, sentIds.size);
  } finally {
    await Promise.all(live.map((p) => p.stop()));
  }
});

test('reports are partitioned by day; dropping old days removes their reports, ids and totals', async () => {
  const url = await cluster.createDatabase('retention');
  let now = new Date('2026-03-01T12:00:00Z');
  const store = await ReportStore.open({ databaseUrl: url, clock: () => now });
  try {
    const { groupOf } = await import('../../../collector/groups');
    const { verifyReport } = await import('../../../collector/verify-report');
    const put = async (r: Report) => assert.equal(await store.insert(r, groupOf(verifyReport(r))), 'stored');
    const first = [releasedReport('days'), releasedReport('days')];
    for (const r of first) await put(r);
    now = new Date('2026-03-03T08:00:00Z'); // a day with no partition yet: created at insert
    const third = releasedReport('days');
    await put(third);
    assert.deepEqual(
      (await withDatabase(url, partitionDays)).filter((d) => d >= '2026-03-01'),
      ['2026-03-01', '2026-03-02', '2026-03-03'],
    );
    assert.equal(await store.count('days'), 3);
    assert.deepEqual(await store.dropBefore('2026-03-03'), ['2026-03-01', '2026-03-02']);
    assert.deepEqual(await store.ids('days'), [third.id]);
    assert.equal(await store.count('days'), 1, 'the totals of dropped days are gone with them');
    assert.equal(cluster.psql("select count(*) from report_ids where id like '%'", 'retention').trim(), '1');
    const [t] = await store.totals('days');
    assert.deepEqual(t!.sums, (third as { vector: number[] }).vector);
    let exportedSince: Report[] = [];
    for await (const page of store.since(new Date('2026-03-01T00:00:00Z'))) exportedSince = exportedSince.concat(page);
    assert.deepEqual(
      exportedSince.map((r) => r.id),
      [third.id],
    );
  } finally {
    await store.close();
  }
});
