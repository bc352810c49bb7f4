// npm run bench:secure-aggregation — per report: the client's noise and Prio3SumVec
// shard-and-proof time, bytes uploaded to each aggregator, and each aggregator's
// preparation time; once in one worker thread, once split over two (both cores). Throughput counts
// the reports' loop only (after one warm-up report), not the workers' start.
// Prints a table, writes bench/results/secure-aggregation.json.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import type { ReportTiming, WorkerTask } from './secure-aggregation-worker';

const quick = process.argv.includes('--quick');
const REPORTS = quick ? 6 : 24;
const TASKS: Omit<WorkerTask, 'count'>[] = [
  { dims: 96, bits: 8 },
  { dims: 96, bits: 12 },
  { dims: 96, bits: 16 },
  { dims: 16, bits: 14 },
];

function inWorker(task: WorkerTask): Promise<{ timings: ReportTiming[]; loopSeconds: number }> {
  return new Promise((resolve, reject) => {
    // Node 20 does not pass the tsx loader on to workers: the worker registers it, then loads the TypeScript entry.
    const entry = new URL('./secure-aggregation-worker.ts', import.meta.url).href;
    const tsx = import.meta.resolve('tsx/esm/api');
    const bootstrap =
      `import(${JSON.stringify(tsx)})` + `.then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
    const w = new Worker(bootstrap, { eval: true, workerData: task });
    w.once('message', resolve);
    w.once('error', reject);
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

const rows = [];
for (const task of TASKS) {
  const single = await inWorker({ ...task, count: REPORTS });
  const workers = Math.min(2, availableParallelism());
  const parallel = await Promise.all(
    Array.from({ length: workers }, () => inWorker({ ...task, count: REPORTS / workers })),
  );
  const one = single.timings;
  const all = [...one, ...parallel.flatMap((p) => p.timings)];
  const oneThread = single.loopSeconds;
  const twoThreads = Math.max(...parallel.map((p) => p.loopSeconds));
  rows.push({
    dims: task.dims,
    bits: task.bits,
    reports: all.length,
    noiseMs: median(all.map((r) => r.noiseMs)),
    shardMs: median(all.map((r) => r.shardMs)),
    shardMsMax: Math.max(...all.map((r) => r.shardMs)),
    leaderPrepareMs: median(all.map((r) => r.leaderPrepareMs)),
    helperPrepareMs: median(all.map((r) => r.helperPrepareMs)),
    leaderShareBytes: one[0]!.leaderShareBytes,
    helperShareBytes: one[0]!.helperShareBytes,
    leaderUploadBytes: one[0]!.leaderUploadBytes,
    helperUploadBytes: one[0]!.helperUploadBytes,
    reportsPerSecondOneThread: REPORTS / oneThread,
    reportsPerSecondTwoThreads: REPORTS / twoThreads,
    workers,
  });
}

console.table(
  rows.map((r) => ({
    'd × bits': `${r.dims} × ${r.bits}`,
    'noise ms': r.noiseMs.toFixed(2),
    'shard+proof ms': r.shardMs.toFixed(0),
    'leader prep ms': r.leaderPrepareMs.toFixed(0),
    'helper prep ms': r.helperPrepareMs.toFixed(0),
    'leader share B': r.leaderShareBytes,
    'helper share B': r.helperShareBytes,
    'upload leader B': r.leaderUploadBytes,
    'upload helper B': r.helperUploadBytes,
    'reports/s 1 thread': r.reportsPerSecondOneThread.toFixed(2),
    [`reports/s ${r.workers} threads`]: r.reportsPerSecondTwoThreads.toFixed(2),
  })),
);
await mkdir('bench/results', { recursive: true });
await writeFile(
  'bench/results/secure-aggregation.json',
  JSON.stringify(
    { date: new Date().toISOString(), node: process.version, cores: availableParallelism(), rows },
    null,
    1,
  ) + '\n',
);
