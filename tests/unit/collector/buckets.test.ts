// GET /aggregates by time bucket of receipt (hour, day, ISO week), over [since, until), paged with a
// cursor, with per-coordinate standard errors: on PGlite and on a real PostgreSQL server, with the
// collector's clock injected so that every report's receive time is known.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { VectorAggregate } from '../../../collector/group-estimates';
import type { BucketPage } from '../../../collector/buckets';
import type { ReceivedReport, ReportPage } from '../../../collector/report-pages';
import { estimatesOf } from './recompute';
import type { Report } from '../../../src/report/schema';
import { startCollector, type TestCollector } from '../../support/collector';
import { startPostgresCluster, type PostgresCluster } from '../../support/postgres-cluster';
import { categoryTask, krrReport, laplaceTask, postReport, vectorReport } from './support';

let cluster: PostgresCluster;
before(async () => {
  cluster = await startPostgresCluster();
});
after(() => cluster?.stop());

/** Receive times and what arrives then (2026-11-16 and 2026-11-23 are Mondays). */
const ARRIVALS: [string, number[]][] = [
  ['2026-11-16T10:15:00Z', [1, 2, 3, 4]],
  ['2026-11-16T10:15:00Z', [3, 2, 1, 0]],
  ['2026-11-16T10:45:00Z', [2, 2, 2, 2]],
  ['2026-11-16T11:05:00Z', [0, 0, 0, 8]],
  ['2026-11-17T09:00:00Z', [5, 5, 5, 5]],
  ['2026-11-23T01:00:00Z', [1, 1, 1, 1]],
];

async function loaded(engine: 'pglite' | 'postgres'): Promise<{ collector: TestCollector; sent: [Date, Report][] }> {
  let now = new Date(ARRIVALS[0]![0]);
  const collector = await startCollector({
    ...(engine === 'postgres' ? { databaseUrl: await cluster.createDatabase(`buckets_${Date.now()}`) } : {}),
    clock: () => now,
    tasks: [laplaceTask('bucketed'), categoryTask('bucketed-labels', 'krr', 1, 4)],
  });
  const sent: [Date, Report][] = [];
  for (const [at, values] of ARRIVALS) {
    now = new Date(at);
    const r = vectorReport(values, 'bucketed');
    assert.equal((await postReport(collector.url, r)).status, 201);
    sent.push([now, r]);
  }
  now = new Date('2026-11-16T10:30:00Z');
  const k = krrReport(2, 4, 1, 'bucketed-labels');
  assert.equal((await postReport(collector.url, k)).status, 201);
  sent.push([now, k]);
  return { collector, sent };
}

async function page(collector: TestCollector, query: string): Promise<BucketPage> {
  // Both scopes (the vectors' and the labels'): a bucket holds the groups of every scope.
  const res = await fetch(`${collector.url}/aggregates?${query}`);
  assert.equal(res.status, 200, query);
  return (await res.json()) as BucketPage;
}

/** The reports of `sent` received in [start, start + ms). */
function within(sent: [Date, Report][], start: string, ms: number): Report[] {
  const t = Date.parse(start);
  return sent.filter(([at]) => at.getTime() >= t && at.getTime() < t + ms).map(([, r]) => r);
}

function assertSameVector(actual: VectorAggregate, expected: VectorAggregate, label: string): void {
  assert.equal(actual.count, expected.count, label);
  actual.mean.forEach((m, j) => assert.ok(Math.abs(m - expected.mean[j]!) < 1e-12, `${label} mean[${j}]`));
  if (expected.standardErrors === null) assert.equal(actual.standardErrors, null, label);
  else
    actual.standardErrors!.forEach((se, j) =>
      assert.ok(Math.abs(se - expected.standardErrors![j]!) < 1e-12, `${label} se[${j}]`),
    );
}

for (const engine of ['pglite', 'postgres'] as const) {
  test(`hour, day and week buckets match the reports received in each (${engine})`, async () => {
    const { collector, sent } = await loaded(engine);
    try {
      const range = 'since=2026-11-16T00:00:00Z&until=2026-11-24T00:00:00Z';
      const expectations = {
        hour: [
          ['2026-11-16T10:00:00Z', 3],
          ['2026-11-16T11:00:00Z', 1],
          ['2026-11-17T09:00:00Z', 1],
          ['2026-11-23T01:00:00Z', 1],
        ],
        day: [
          ['2026-11-16T00:00:00Z', 4],
          ['2026-11-17T00:00:00Z', 1],
          ['2026-11-23T00:00:00Z', 1],
        ],
        week: [
          ['2026-11-16T00:00:00Z', 5],
          ['2026-11-23T00:00:00Z', 1],
        ],
      } as const;
      const ms = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 };
      for (const bucket of ['hour', 'day', 'week'] as const) {
        const answer = await page(collector, `${range}&bucket=${bucket}`);
        assert.equal(answer.next, null);
        assert.deepEqual(
          answer.buckets.map((b) => [b.start, b.vectors[0]?.count]),
          expectations[bucket].map(([s, n]) => [s, n]),
          bucket,
        );
        for (const b of answer.buckets) {
          assert.equal(Date.parse(b.end) - Date.parse(b.start), ms[bucket]);
          const expected = estimatesOf(within(sent, b.start, ms[bucket]));
          assertSameVector(b.vectors[0]!, expected.vectors[0]!, `${bucket} ${b.start}`);
          assert.deepEqual(
            b.categories.map((c) => c.counts),
            expected.categories.map((c) => c.counts),
          );
        }
      }
      // The k-RR report arrived at 10:30: in the 10:00 hour only.
      const hours = await page(collector, `${range}&bucket=hour`);
      assert.deepEqual(hours.buckets[0]!.categories[0]!.counts, [0, 0, 1, 0]);
      assert.equal(hours.buckets[1]!.categories.length, 0);

      // [since, until) cuts by receive time: 11:05 on Monday and 09:00 on Tuesday.
      const cut = await page(collector, 'since=2026-11-16T11:00:00Z&until=2026-11-17T09:00:01Z&bucket=day');
      assert.deepEqual(
        cut.buckets.map((b) => [b.start, b.vectors[0]!.mean]),
        [
          ['2026-11-16T00:00:00Z', [0, 0, 0, 8]],
          ['2026-11-17T00:00:00Z', [5, 5, 5, 5]],
        ],
      );
    } finally {
      await collector.close();
    }
  });

  test(`paging with a cursor gives every (bucket, group) once, in order (${engine})`, async () => {
    const { collector } = await loaded(engine);
    try {
      const whole = await page(collector, 'bucket=hour');
      const flat = (p: BucketPage) =>
        p.buckets.flatMap((b) =>
          [...b.vectors, ...b.categories].map((g) => `${b.start} ${g.key.mechanism} ${g.count}`),
        );
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const p = await page(collector, `bucket=hour&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...flat(p));
        cursor = p.next;
        pages++;
      } while (cursor !== null && pages < 10);
      assert.deepEqual(seen, flat(whole));
      assert.equal(seen.length, 5, 'four hours of vectors and one of k-RR');
      assert.equal(pages, 3);
    } finally {
      await collector.close();
    }
  });

  test(`GET /reports pages by receive time, with each report's receive time and bucket (${engine})`, async () => {
    const { collector, sent } = await loaded(engine);
    try {
      const inRange = sent
        .filter(
          ([at]) =>
            at.getTime() >= Date.parse('2026-11-16T10:30:00Z') && at.getTime() < Date.parse('2026-11-23T00:00:00Z'),
        )
        .sort(([a], [b]) => a.getTime() - b.getTime());
      const seen: ReceivedReport[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = cursor
          ? `cursor=${cursor}&since=2026-11-16T10:30:00Z&until=2026-11-23T00:00:00Z&bucket=week&limit=2`
          : 'since=2026-11-16T10:30:00Z&until=2026-11-23T00:00:00Z&bucket=week&limit=2';
        const res: Response = await fetch(`${collector.url}/reports?${query}`);
        assert.equal(res.status, 200);
        const p = (await res.json()) as ReportPage;
        seen.push(...p.reports);
        cursor = p.next;
        pages++;
      } while (cursor !== null && pages < 10);
      assert.deepEqual(
        seen.map((r) => [r.receivedAt, r.bucket, r.report.id]),
        inRange.map(([at, r]) => [at.toISOString(), '2026-11-16T00:00:00Z', r.id]),
      );
      assert.equal(pages, 3, 'four reports in pages of two, then an empty last page');
      const bad = await fetch(`${collector.url}/reports?bucket=year`);
      assert.equal(bad.status, 400);
      assert.match(((await bad.json()) as { error: { message: string } }).error.message, /bucket must be one of/);
    } finally {
      await collector.close();
    }
  });
}

test('bad bucket parameters are refused with 400 naming the parameter', async () => {
  const collector = await startCollector();
  try {
    const cases: [string, RegExp][] = [
      ['bucket=month', /bucket must be one of hour, day, week/],
      ['since=yesterday', /since must be an ISO 8601 time/],
      ['since=2026-11-17T00:00:00Z&until=2026-11-16T00:00:00Z', /until must be later than since/],
      ['bucket=day&limit=0', /limit must be an integer from 1 to 1000/],
      ['cursor=not-a-cursor', /cursor is not one this collector gave out/],
    ];
    for (const [query, message] of cases) {
      const res = await fetch(`${collector.url}/aggregates?${query}`);
      assert.equal(res.status, 400, query);
      const { error } = (await res.json()) as { error: { name: string; message: string } };
      assert.equal(error.name, 'InvalidParameterError', query);
      assert.match(error.message, message, query);
    }
    const plain = (await (await fetch(`${collector.url}/aggregates`)).json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(plain).sort(), ['categories', 'failed', 'vectors'], 'unbucketed answer unchanged');
  } finally {
    await collector.close();
  }
});
