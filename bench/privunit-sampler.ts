// PrivUnit's cap coordinate: CPU per draw of the sampler (quantile tables, then fixed Newton steps) beside the
// 64-step bisection it replaced (tests/unit/privacy/cap-bisection.ts, the same constant work as before), and
// of a whole release, at d = 16, 96 and 1 280; blocks of the two inverses alternate, so load on the machine
// hits both alike. Also the one-off cost of the tables for a new (ε, d). Prints a table, writes
// bench/results/privunit-sampler.json. Run: node --import tsx bench/privunit-sampler.ts [--quick]
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { calibratePrivUnit, privUnit, sampleCapCoordinate } from '../src/privacy/mechanisms/privunit';
import { symmetricBetaQuantileTable } from '../src/privacy/math/symmetric-beta-quantile';
import { RandomDraws } from '../src/privacy/random/draws';
import { cryptoRandomSource } from '../src/privacy/random/random-source';
import { l2Normalize } from '../src/privacy/vector/prepare';
import { bisectCapCoordinates } from '../tests/unit/privacy/cap-bisection';

const quick = process.argv.includes('--quick');
const EPSILON = 2;
const DIMS = [16, 96, 1280] as const;
const ROUNDS = quick ? 3 : 10;

export interface PrivUnitSamplerRow {
  readonly dims: number;
  readonly epsilon: number;
  /** Rows of the cap's and the rest's quantile tables (each scanned whole per draw). */
  readonly tableRows: number;
  /** One-off: both tables for a new (ε, d), ms of CPU (the least of five builds). */
  readonly tablesMs: number;
  /** CPU per draw of the cap coordinate, µs. */
  readonly newtonUs: number;
  readonly bisectionUs: number;
  readonly speedup: number;
  /** CPU per whole release (cap coordinate, d normals, projection), µs. */
  readonly releaseUs: number;
  /** The same release with the bisection's cap coordinate in its place (measured release − new + old). */
  readonly releaseBeforeUs: number;
}

const cpuMicros = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return used.user + used.system;
};

function benchDims(dims: number): PrivUnitSamplerRow {
  const params = calibratePrivUnit(EPSILON, dims);
  const draws = new RandomDraws(cryptoRandomSource);
  const u = l2Normalize(Array.from({ length: dims }, (_, i) => Math.cos(3 * i + 1)));
  const a = (dims - 1) / 2;
  const xCut = (1 - params.gamma) / 2;
  const lowest = -53 * Math.LN2 - 1e-9;
  // The least of five builds: the first ones also pay for compiling the builder (on V8's background threads,
  // which process.cpuUsage counts).
  let tablesMs = Infinity;
  let start = process.cpuUsage();
  const cap = symmetricBetaQuantileTable(a, xCut, Math.log(params.q) + lowest);
  const rest = symmetricBetaQuantileTable(a, 1 - xCut, Math.log(1 - params.q) + lowest);
  for (let i = 0; i < 5; i++) {
    start = process.cpuUsage();
    symmetricBetaQuantileTable(a, xCut, Math.log(params.q) + lowest);
    symmetricBetaQuantileTable(a, 1 - xCut, Math.log(1 - params.q) + lowest);
    tablesMs = Math.min(tablesMs, cpuMicros(start) / 1000);
  }
  // Blocks of about 20 ms of the slower inverse each; warm-up first (JIT, the sampler's own tables).
  const newtonBlock = 4000;
  const bisectionBlock = Math.max(50, Math.round(2e4 / (dims < 200 ? 60 : 110)));
  let sink = 0;
  for (let i = 0; i < 2000; i++) sink += sampleCapCoordinate(params, (i & 1) === 0, draws);
  for (let i = 0; i < 200; i++) sink += bisectCapCoordinates(params, draws.uniform())[i & 1]!;
  for (let i = 0; i < 200; i++) sink += privUnit(u, params, draws)[0]!;
  let newton = 0;
  let bisection = 0;
  let release = 0;
  for (let round = 0; round < ROUNDS; round++) {
    start = process.cpuUsage();
    for (let i = 0; i < newtonBlock; i++) sink += sampleCapCoordinate(params, (i & 1) === 0, draws);
    newton += cpuMicros(start);
    start = process.cpuUsage();
    for (let i = 0; i < bisectionBlock; i++) sink += bisectCapCoordinates(params, draws.uniform())[i & 1]!;
    bisection += cpuMicros(start);
    start = process.cpuUsage();
    for (let i = 0; i < 500; i++) sink += privUnit(u, params, draws)[0]!;
    release += cpuMicros(start);
  }
  if (!Number.isFinite(sink)) throw new Error('bench: a draw was not finite');
  const newtonUs = newton / (ROUNDS * newtonBlock);
  const bisectionUs = bisection / (ROUNDS * bisectionBlock);
  const releaseUs = release / (ROUNDS * 500);
  return {
    dims,
    epsilon: EPSILON,
    tableRows: cap.keys.length + rest.keys.length,
    tablesMs,
    newtonUs,
    bisectionUs,
    speedup: bisectionUs / newtonUs,
    releaseUs,
    releaseBeforeUs: releaseUs - newtonUs + bisectionUs,
  };
}

export function printPrivUnitSampler(rows: readonly PrivUnitSamplerRow[], load: readonly number[]): void {
  console.log(`\nPrivUnit cap coordinate, CPU per draw at ε = ${EPSILON} (load average ${load.join(', ')})`);
  console.log('     d  table rows  tables ms  Newton µs  bisection µs  speed-up  release µs  before µs');
  for (const r of rows) {
    console.log(
      `${String(r.dims).padStart(6)} ${String(r.tableRows).padStart(11)} ${r.tablesMs.toFixed(2).padStart(10)} ` +
        `${r.newtonUs.toFixed(2).padStart(10)} ${r.bisectionUs.toFixed(2).padStart(13)} ` +
        `${r.speedup.toFixed(1).padStart(8)}× ${r.releaseUs.toFixed(2).padStart(11)} ` +
        `${r.releaseBeforeUs.toFixed(2).padStart(10)}`,
    );
  }
}

const rows = DIMS.map((d) => {
  process.stderr.write(`bench: PrivUnit sampler at d = ${d}\n`);
  return benchDims(d);
});
const load = loadavg().map((x) => Number(x.toFixed(2)));
printPrivUnitSampler(rows, load);
await mkdir(join('bench', 'results'), { recursive: true });
await writeFile(
  join('bench', 'results', 'privunit-sampler.json'),
  JSON.stringify({ when: new Date().toISOString(), loadAverage: load, rows }, null, 2),
);
