// npm run bench:collector — the collector under load, as deployed: separate collector
// processes on one PostgreSQL server (1, 2, 4) and on embedded PGlite. Concurrent clients
// POST real 96-d PrivUnit reports (a pool built by the privacy core and src/report, ids
// renewed per send), 10 % retries of ids already sent, 1 % invalid bodies. Then the time
// to read aggregates at 10^4, 10^5, 10^6 stored reports (10^4 / 10^5: raw rows bulk-loaded with
// INSERT … SELECT from real reports, totals built by the repair command; 10^6: those totals × 10,
// as the read touches totals only). Server capacity is measured apart from the client: the same
// workload sent pre-serialised over kept-alive sockets by bench/collector-raw-client.ts in its own
// process, whose CPU is counted on its own; and a longer run samples the collector's RSS for
// flat memory. Prints tables, writes bench/results/collector.json.
//   BENCH_SECONDS (default 10) per configuration; BENCH_LONG_SECONDS (default 60) for the memory run;
//   BENCH_MAX_REPORTS (default 1000000) caps the read test; BENCH_ONLY=raw runs the raw-client rows only.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cryptoRandomSource, prepareVector, privatizeVector } from '../src/privacy/index';
import { newReportId } from '../src/report/build-report';
import { buildReport } from '../tests/support/any-report';
import { startCollectorProcess, type CollectorProcess } from '../tests/support/collector-process';
import { startPostgresCluster, type PostgresCluster } from '../tests/support/postgres-cluster';
import { closeSender, sendAll, type SendItem } from '../tests/support/report-sender';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const MAX_REPORTS = Number(process.env['BENCH_MAX_REPORTS'] ?? 1_000_000);
const LONG_SECONDS = Number(process.env['BENCH_LONG_SECONDS'] ?? 60);
const ONLY_RAW = process.env['BENCH_ONLY'] === 'raw';
const CONCURRENCY = 32;
const TOKEN = 'bench-token';
const DIMS = 96;
const EPSILON = 4;
/** The one task the bench's collectors declare: its reports, PrivUnit at EPSILON over the default model. */
const TASKS = [{ scope: 'bench', mechanism: 'privunit', epsilon: EPSILON }];

/** A pool of real reports; each send takes one and gives it a fresh id (the id does not enter any check). */
function reportPool(n: number): string[] {
  const pool: string[] = [];
  for (let i = 0; i < n; i++) {
    // A random input direction (the mechanism's output does not depend on where it came from).
    const x = Float64Array.from(crypto.getRandomValues(new Uint32Array(DIMS)), (w) => w / 2 ** 32 - 0.5);
    const params = { name: 'privunit', epsilon: EPSILON } as const;
    const release = privatizeVector(prepareVector(x, params), params, cryptoRandomSource);
    const report = buildReport({
      scope: 'bench',
      model: { id: 'mobilenet_v2', layer: 'block_12_add', dims: DIMS },
      projection: null,
      source: cryptoRandomSource,
      release,
    });
    pool.push(JSON.stringify(report));
  }
  return pool;
}

/** Enough items for `seconds` at up to `rate`/s: unique reports, 10 % resends of earlier ones, 1 % invalid. */
function workload(pool: readonly string[], count: number): SendItem[] {
  const items: SendItem[] = [];
  for (let i = 0; items.length < count; i++) {
    const id = newReportId(cryptoRandomSource);
    const body = pool[i % pool.length]!.replace(/"id":"[0-9a-f]+"/, `"id":"${id}"`);
    items.push({ body, id });
    if (i % 10 === 9) items.push(items[items.length - 5]!); // a retry of an id sent a few requests ago
    // Refused with 400: a declared scale that is not the calibration's.
    if (i % 100 === 99) items.push({ body: body.replace(/"scale":[^,}]+/, '"scale":1') });
  }
  return items;
}

function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime, in 1/100 s
  } catch {
    return 0;
  }
}

function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** The postmaster and its backends (CPU of the database side). */
async function postgresPids(cluster: PostgresCluster | undefined): Promise<number[]> {
  if (!cluster) return [];
  const master = Number((await readFile(join(cluster.dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(master)], { encoding: 'utf8' })
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
  return [master, ...children];
}

/** Busy share of all cores from /proc/stat (the machine is shared: others' load shows here). */
async function machineTicks(): Promise<{ busy: number; total: number }> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  const idle = line[3]! + line[4]!;
  const total = line.reduce((s, x) => s + x, 0);
  return { busy: total - idle, total };
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

interface LoadResult {
  readonly config: string;
  readonly processes: number;
  readonly seconds: number;
  readonly reportsPerSecond: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly collectorCpuSeconds: number;
  readonly databaseCpuSeconds: number;
  readonly clientCpuSeconds: number;
  readonly machineBusyPercent: number;
  readonly loadAverage: number;
  readonly rssBeforeMb: number;
  readonly rssAfterMb: number;
  readonly stored: number;
  readonly validUnique: number;
  readonly exact: boolean;
}

async function load(
  config: string,
  processes: CollectorProcess[],
  cluster: PostgresCluster | undefined,
  pool: readonly string[],
): Promise<LoadResult> {
  const urls = processes.map((p) => p.url);
  // Warm up (JIT, calibration cache, pool connections), then measure on fresh items.
  await sendAll(() => urls, workload(pool, 400), { concurrency: CONCURRENCY });
  const dbPids = await postgresPids(cluster);
  const storedBefore = await storedCount(urls[0]!);
  const items = workload(pool, SECONDS * 6000);
  const rssBefore = processes.reduce((s, p) => s + rssMb(p.pid), 0);
  const cpu0 = processes.reduce((s, p) => s + cpuTicks(p.pid), 0);
  const db0 = dbPids.reduce((s, p) => s + cpuTicks(p), 0);
  const m0 = await machineTicks();
  const client0 = process.cpuUsage();
  const t0 = performance.now();
  const results = await sendAll(() => urls, items, { concurrency: CONCURRENCY, until: t0 + SECONDS * 1000 });
  const elapsed = (performance.now() - t0) / 1000;
  const client = process.cpuUsage(client0);
  const m1 = await machineTicks();
  const cpu1 = processes.reduce((s, p) => s + cpuTicks(p.pid), 0);
  const db1 = (await postgresPids(cluster)).reduce((s, p) => s + cpuTicks(p), 0);
  const rssAfter = processes.reduce((s, p) => s + rssMb(p.pid), 0);
  const valid = results.filter((r) => r.item.id !== undefined);
  const unique = new Set(valid.filter((r) => r.status === 201 || r.status === 200).map((r) => r.item.id));
  const bad = results.filter((r) => r.item.id === undefined);
  const latencies = results.map((r) => r.latencyMs).sort((a, b) => a - b);
  const stored = (await storedCount(urls[0]!)) - storedBefore;
  const failures = valid.filter((r) => r.status !== 201 && r.status !== 200).length;
  return {
    config,
    processes: processes.length,
    seconds: Number(elapsed.toFixed(1)),
    reportsPerSecond: Math.round(valid.length / elapsed),
    requestsPerSecond: Math.round(results.length / elapsed),
    p50Ms: Number(quantile(latencies, 0.5).toFixed(1)),
    p99Ms: Number(quantile(latencies, 0.99).toFixed(1)),
    collectorCpuSeconds: (cpu1 - cpu0) / 100,
    databaseCpuSeconds: (db1 - db0) / 100,
    clientCpuSeconds: Number(((client.user + client.system) / 1e6).toFixed(1)),
    machineBusyPercent: Math.round((100 * (m1.busy - m0.busy)) / (m1.total - m0.total)),
    loadAverage: Number(loadavg()[0]!.toFixed(1)),
    rssBeforeMb: Math.round(rssBefore),
    rssAfterMb: Math.round(rssAfter),
    stored,
    validUnique: unique.size,
    exact: stored === unique.size && failures === 0 && bad.every((r) => r.status === 400),
  };
}

interface RawResult {
  readonly config: string;
  readonly processes: number;
  readonly seconds: number;
  readonly reportsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly collectorCpuSeconds: number;
  readonly databaseCpuSeconds: number;
  readonly clientCpuSeconds: number;
  /** Collector and database CPU per valid report, in ms. */
  readonly serverCpuMsPerReport: number;
  /** Valid reports per CPU-second of collector and database together: the server side's capacity per core. */
  readonly reportsPerServerCpuSecond: number;
  readonly machineBusyPercent: number;
  readonly loadAverage: number;
  /** RSS of the collector processes every 5 s from the end of the warm-up (MB). */
  readonly rssMb: number[];
  readonly stored: number;
  readonly created: number;
  readonly exact: boolean;
}

/** Runs bench/collector-raw-client.ts on the report pool for `seconds`; resolves with its JSON line. */
function rawClient(
  pool: readonly string[],
  seconds: number,
  urls: readonly string[],
): {
  pid: number;
  done: Promise<{
    requests: number;
    statuses: Record<string, number>;
    p50Ms: number;
    p99Ms: number;
    cpuSeconds: number;
    seconds: number;
  }>;
} {
  const dir = mkdtempSync(join(tmpdir(), 'obscura-bench-'));
  const file = join(dir, 'reports.json');
  writeFileSync(file, JSON.stringify(pool));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'bench', 'collector-raw-client.ts'),
      file,
      String(seconds),
      String(CONCURRENCY),
      ...urls,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  const done = new Promise<ReturnType<typeof JSON.parse>>((resolveDone, reject) =>
    child.once('exit', (code) => {
      rmSync(dir, { recursive: true, force: true });
      if (code === 0) resolveDone(JSON.parse(out.trim().split('\n').pop()!));
      else reject(new Error(`raw client exited with ${code}`));
    }),
  );
  return { pid: child.pid!, done };
}

/**
 * The server side's capacity: the workload pre-serialised and sent by a minimal client in its own
 * process (its CPU counted apart), collector and database CPU read from /proc, RSS sampled every 5 s.
 */
async function rawLoad(
  config: string,
  processes: CollectorProcess[],
  cluster: PostgresCluster | undefined,
  pool: readonly string[],
  seconds: number,
): Promise<RawResult> {
  const urls = processes.map((p) => p.url);
  await rawClient(pool, 3, urls).done; // warm-up: JIT, calibration cache, pool connections
  const dbPids = await postgresPids(cluster);
  const storedBefore = await storedCount(urls[0]!);
  const cpu0 = processes.reduce((s, p) => s + cpuTicks(p.pid), 0);
  const db0 = dbPids.reduce((s, p) => s + cpuTicks(p), 0);
  const m0 = await machineTicks();
  const rss = [processes.reduce((s, p) => s + rssMb(p.pid), 0)];
  const client = rawClient(pool, seconds, urls);
  const sampler = setInterval(() => rss.push(processes.reduce((s, p) => s + rssMb(p.pid), 0)), 5000);
  const answer = await client.done;
  clearInterval(sampler);
  rss.push(processes.reduce((s, p) => s + rssMb(p.pid), 0));
  const m1 = await machineTicks();
  const cpu1 = processes.reduce((s, p) => s + cpuTicks(p.pid), 0);
  const db1 = (await postgresPids(cluster)).reduce((s, p) => s + cpuTicks(p), 0);
  const stored = (await storedCount(urls[0]!)) - storedBefore;
  const created = answer.statuses['201'] ?? 0;
  const valid = created + (answer.statuses['200'] ?? 0);
  const serverCpu = (cpu1 - cpu0 + db1 - db0) / 100;
  const unexpected = Object.keys(answer.statuses).filter((s) => !['200', '201', '400'].includes(s));
  return {
    config,
    processes: processes.length,
    seconds: Number(answer.seconds.toFixed(1)),
    reportsPerSecond: Math.round(valid / answer.seconds),
    p50Ms: Number(answer.p50Ms.toFixed(1)),
    p99Ms: Number(answer.p99Ms.toFixed(1)),
    collectorCpuSeconds: (cpu1 - cpu0) / 100,
    databaseCpuSeconds: (db1 - db0) / 100,
    clientCpuSeconds: Number(answer.cpuSeconds.toFixed(1)),
    serverCpuMsPerReport: Number(((1000 * serverCpu) / valid).toFixed(3)),
    reportsPerServerCpuSecond: Math.round(valid / serverCpu),
    machineBusyPercent: Math.round((100 * (m1.busy - m0.busy)) / (m1.total - m0.total)),
    loadAverage: Number(loadavg()[0]!.toFixed(1)),
    rssMb: rss.map(Math.round),
    stored,
    created,
    exact: stored === created && unexpected.length === 0,
  };
}

/** GET with one retry: a kept-alive connection the server closes as idle can race the next request. */
async function getJson(url: string): Promise<unknown> {
  const init = { headers: { authorization: `Bearer ${TOKEN}` } };
  try {
    return await (await fetch(url, init)).json();
  } catch {
    return (await fetch(url, init)).json();
  }
}

async function storedCount(url: string): Promise<number> {
  return ((await getJson(`${url}/stats`)) as { reports: number }).reports;
}

async function timeAggregates(url: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now();
    await getJson(`${url}/aggregates?scope=bench`);
    times.push(performance.now() - t0);
  }
  return Number(
    quantile(
      times.sort((a, b) => a - b),
      0.5,
    ).toFixed(1),
  );
}

/** Grows the database to `target` stored reports by copying real rows (new ids, spread over 7 days). */
function bulkLoad(cluster: PostgresCluster, database: string, target: number): void {
  const have = Number(cluster.psql('select count(*) from reports', database).trim());
  if (target <= have) return;
  const days = 7;
  for (let d = 1; d <= days; d++) {
    const day = new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 10);
    const next = new Date(Date.now() - (d - 1) * 86_400_000).toISOString().slice(0, 10);
    const name = `reports_d${day.replaceAll('-', '')}`;
    cluster.psql(
      `create table if not exists ${name} partition of reports for values from ('${day}') to ('${next}');`,
      database,
    );
  }
  // Copies of the seed rows (stored over HTTP), each with a fresh id and on one of the last 7 days.
  cluster.psql(
    `with seed as (select * from reports where id not like 'bulk%'),
     n as (select count(*) as c from seed),
     copies as (
       select 'bulk' || md5(g::text || s.id || '${target}') as id,
              (current_date - (1 + g % ${days})::int) as day, s.scope, s.group_id, s.body
       from generate_series(1, (${target - have} + (select c from n) - 1) / (select c from n)) g, seed s
       limit ${target - have}
     ),
     ids as (insert into report_ids (id, body_hash, day) select id, 'bulk', day from copies)
     insert into reports (id, day, received_at, scope, group_id, body)
     select id, day, day + interval '12 hours', scope, group_id, jsonb_set(body, '{id}', to_jsonb(id)) from copies;`,
    database,
  );
}

function repair(url: string): number {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'collector', 'main.ts'), 'repair', '--database', url],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  return (JSON.parse(out) as { repaired: { ms: number } }).repaired.ms;
}

async function main(): Promise<void> {
  console.error(
    `bench:collector: ${cpus().length} cores, load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  const pool = reportPool(1000);
  const cluster = await startPostgresCluster();
  const loads: LoadResult[] = [];
  const raws: RawResult[] = [];
  const reads: { reports: number; raw: number; aggregatesMs: number; repairMs: number | null; totalsRows: number }[] =
    [];
  const loadPgliteAndReads = async (): Promise<void> => {
    const lite = await startCollectorProcess(['--memory', '--rate-limit', '0', '--read-token', TOKEN], {}, TASKS);
    try {
      loads.push(await load('PGlite × 1 (in memory)', [lite], undefined, pool));
      console.error(JSON.stringify(loads[loads.length - 1]));
    } finally {
      await lite.stop();
    }

    // Aggregate reads as the raw table grows: seed 1 000 reports over HTTP, bulk-copy, repair, read.
    const url = await cluster.createDatabase('reads');
    const server = await startCollectorProcess(
      ['--database', url, '--rate-limit', '0', '--read-token', TOKEN],
      {},
      TASKS,
    );
    try {
      const seed = workload(pool, 1000).filter((i) => i.id !== undefined);
      await sendAll(() => [server.url], [...new Map(seed.map((i) => [i.id, i])).values()], { concurrency: 16 });
      for (const target of [10_000, 100_000].filter((t) => t <= MAX_REPORTS)) {
        bulkLoad(cluster, 'reads', target);
        const repairMs = repair(url);
        const totalsRows = Number(cluster.psql('select count(*) from group_totals', 'reads').trim());
        const reports = await storedCount(server.url);
        reads.push({ reports, raw: reports, aggregatesMs: await timeAggregates(server.url), repairMs, totalsRows });
        console.error(JSON.stringify(reads[reads.length - 1]));
      }
      if (MAX_REPORTS >= 1_000_000) {
        // 10^6: the totals of ten times the 10^5 stored reports (each total × 10), without copying 2 GB of raw
        // rows: the read touches totals only, so its cost is that of 10^6 stored reports.
        cluster.psql(
          `update group_totals set n = n * 10,
             sums = (select array_agg(x * 10 order by i) from unnest(sums) with ordinality u(x, i)),
             squares = (select array_agg(x * 10 order by i) from unnest(squares) with ordinality u(x, i));`,
          'reads',
        );
        const totalsRows = Number(cluster.psql('select count(*) from group_totals', 'reads').trim());
        const raw = Number(cluster.psql('select count(*) from reports', 'reads').trim());
        const reports = await storedCount(server.url);
        reads.push({ reports, raw, aggregatesMs: await timeAggregates(server.url), repairMs: null, totalsRows });
        console.error(JSON.stringify(reads[reads.length - 1]));
      }
    } finally {
      await server.stop();
    }
  };
  try {
    // Server capacity with a minimal client in its own process; then one longer run for memory.
    const runs = [
      [1, SECONDS],
      [2, SECONDS],
      [1, LONG_SECONDS],
    ] as const;
    for (const [index, [n, seconds]] of runs.entries()) {
      const url = await cluster.createDatabase(`raw${index}`);
      const args = ['--database', url, '--rate-limit', '0', '--read-token', TOKEN, '--pool', String(Math.ceil(16 / n))];
      const procs = await Promise.all(Array.from({ length: n }, () => startCollectorProcess(args, {}, TASKS)));
      try {
        raws.push(await rawLoad(`PostgreSQL × ${n}, raw client, ${seconds} s`, procs, cluster, pool, seconds));
        console.error(JSON.stringify(raws[raws.length - 1]));
      } finally {
        await Promise.all(procs.map((p) => p.stop()));
      }
    }
    for (const n of ONLY_RAW ? [] : [1, 2, 4]) {
      const url = await cluster.createDatabase(`load${n}`);
      const args = ['--database', url, '--rate-limit', '0', '--read-token', TOKEN, '--pool', String(Math.ceil(16 / n))];
      const procs = await Promise.all(Array.from({ length: n }, () => startCollectorProcess(args, {}, TASKS)));
      try {
        loads.push(await load(`PostgreSQL × ${n}`, procs, cluster, pool));
        console.error(JSON.stringify(loads[loads.length - 1]));
      } finally {
        await Promise.all(procs.map((p) => p.stop()));
      }
    }
    if (!ONLY_RAW) await loadPgliteAndReads();
  } finally {
    closeSender();
    await cluster.stop();
  }

  console.log(
    '\nServer capacity: the same workload pre-serialised, sent over 32 kept-alive sockets by a client process',
  );
  console.log(
    '| configuration | reports/s | p50 ms | p99 ms | CPU collector / db / client s | server CPU ms/report |' +
      ' reports per server CPU-s | machine busy % | load | RSS MB every 5 s | exactly once |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of raws)
    console.log(
      `| ${r.config} | ${r.reportsPerSecond} | ${r.p50Ms} | ${r.p99Ms} | ` +
        `${r.collectorCpuSeconds} / ${r.databaseCpuSeconds} / ${r.clientCpuSeconds} | ${r.serverCpuMsPerReport} | ` +
        `${r.reportsPerServerCpuSecond} | ${r.machineBusyPercent} | ${r.loadAverage} | ${r.rssMb.join(' ')} | ` +
        `${r.exact ? 'yes' : 'NO'} (${r.stored}/${r.created}) |`,
    );
  console.log('\nCollector throughput (real 96-d PrivUnit reports; 10 % retries, 1 % invalid; 32 requests in flight)');
  console.log(
    '| configuration | reports/s | p50 ms | p99 ms | CPU collector / db / client s | machine busy % | load |' +
      ' RSS MB before → after | exactly once |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const l of loads)
    console.log(
      [
        l.config,
        l.reportsPerSecond,
        l.p50Ms,
        l.p99Ms,
        `${l.collectorCpuSeconds} / ${l.databaseCpuSeconds} / ${l.clientCpuSeconds}`,
        l.machineBusyPercent,
        l.loadAverage,
        `${l.rssBeforeMb} → ${l.rssAfterMb}`,
        `${l.exact ? 'yes' : 'NO'} (${l.stored}/${l.validUnique})`,
      ]
        .join(' | ')
        .replace(/^/, '| ') + ' |',
    );
  console.log('\nGET /aggregates?scope=… (median of 15) as stored reports grow (totals rebuilt by `repair`)');
  console.log('| stored reports (in totals) | raw rows | aggregates ms | repair ms | totals rows |');
  console.log('|---|---|---|---|---|');
  for (const r of reads)
    console.log(`| ${r.reports} | ${r.raw} | ${r.aggregatesMs} | ${r.repairMs ?? '—'} | ${r.totalsRows} |`);
  await mkdir(join(ROOT, 'bench', 'results'), { recursive: true });
  await writeFile(
    join(ROOT, 'bench', 'results', 'collector.json'),
    JSON.stringify(
      { date: new Date().toISOString(), cores: cpus().length, seconds: SECONDS, raws, loads, reads },
      null,
      2,
    ),
  );
}

await main();
