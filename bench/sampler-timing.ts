// Does a sampler's running time tell what it drew? For each mechanism, 20 000 releases are timed one
// by one, each is labelled with a secret the time could leak (the noise large or small, k-RR kept the
// true category or not, …), and the best threshold on the time, in either direction, is scored by its
// balanced accuracy: 0.5 means the time says nothing. Target: ≤ 0.56 for every mechanism.
//
// The classes of one case are drawn at random release by release (or, where the secret is the input,
// alternated), so they are interleaved and scheduling noise on the machine hits both alike.
// Run alone: `npm run bench -- timing` (or BENCH_PARTS=timing npm run bench).
import { bestBalancedAccuracy } from '../tests/unit/privacy/balanced-accuracy';
import { timingCases, type TimingCase } from './sampler-timing-cases';

export const TIMING_TARGET = 0.56;

export interface TimingRow {
  readonly mechanism: string;
  readonly secret: string;
  readonly releases: number;
  /** Share of releases in class 1. */
  readonly share: number;
  readonly medianNs: number;
  readonly balancedAccuracy: number;
}

/** Labels each value 1 if above the median of all values (ties at the median go to class 0). */
function aboveMedian(values: Float64Array): Uint8Array {
  const sorted = Float64Array.from(values).sort();
  const median = sorted[sorted.length >> 1]!;
  return Uint8Array.from(values, (v) => (v > median ? 1 : 0));
}

function runCase(c: TimingCase, releases: number): TimingRow {
  for (let i = 0; i < 2000; i++) c.secret(c.run()); // warm-up: JIT compilation stays out of the measurement
  const times = new Float64Array(releases);
  const values = new Float64Array(releases);
  for (let i = 0; i < releases; i++) {
    c.prepare?.(i);
    const start = process.hrtime.bigint();
    const out = c.run();
    const elapsed = process.hrtime.bigint() - start;
    times[i] = Number(elapsed);
    values[i] = c.secret(out);
  }
  const bits = c.binary ? Uint8Array.from(values, (v) => (v > 0 ? 1 : 0)) : aboveMedian(values);
  const sortedTimes = Float64Array.from(times).sort();
  return {
    mechanism: c.mechanism,
    secret: c.secretName,
    releases,
    share: bits.reduce((s, b) => s + b, 0) / releases,
    medianNs: sortedTimes[releases >> 1]!,
    balancedAccuracy: bestBalancedAccuracy(times, bits),
  };
}

/** Times every case; `releases` per case. */
export function benchSamplerTiming(releases = 20_000): TimingRow[] {
  const rows: TimingRow[] = [];
  for (const c of timingCases()) {
    process.stderr.write(`bench: timing ${c.mechanism} (${c.secretName})\n`);
    rows.push(runCase(c, releases));
  }
  return rows;
}

export function printSamplerTiming(rows: readonly TimingRow[]): void {
  console.log(
    `\ntiming: best time threshold's balanced accuracy (0.5: the time says nothing; want ≤ ${TIMING_TARGET})`,
  );
  console.log(`${'mechanism'.padEnd(44)} ${'secret'.padEnd(30)} class-1  median ns  accuracy`);
  for (const r of rows) {
    const flag = r.balancedAccuracy <= TIMING_TARGET ? '' : '  over target';
    console.log(
      `${r.mechanism.padEnd(44)} ${r.secret.padEnd(30)} ${r.share.toFixed(3).padStart(7)} ` +
        `${r.medianNs.toFixed(0).padStart(10)} ${r.balancedAccuracy.toFixed(4).padStart(9)}${flag}`,
    );
  }
}
