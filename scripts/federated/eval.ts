// npm run eval:federated — federated training of the linear head over simulated devices, with user-level
// DP from distributed Skellam noise, for ε = 1, 2, 4, 8; a slice of the ε = 2 run replayed through Prio3
// with real aggregators. Writes docs/federated.md, docs/federated.json and the ε = 2 codebook.
//
//   node --import tsx scripts/federated/eval.ts [--features real|stand-in] [--devices N] [--slice-rounds K]
//                          [--slice-devices M] [--out-dir docs] [--codebook-dir public/codebooks]
//
// Real features are read from the cache (.data/federated, or OBSCURA_FEDERATED_CACHE); a missing cache
// stops the run unless --extract is given (extraction takes hours on two cores).
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { SeededRandom } from '../../eval/seeded-random';
import { cryptoRandomSource } from '../../src/privacy/random/random-source';
import { centralHead, loadData, type FeatureKind, type FederatedData } from './data';
import { isCached } from './features';
import { writeFederatedCodebook } from './codebook-out';
import { replayRound, type SliceRound } from './prio3-slice';
import { renderMarkdown, summaryJson, type EpsilonRun, type FederatedSummary, type RunDetails } from './report';
import { DEAL, DEFAULT_CONFIG, EPSILONS, INIT } from './schedule';
import { accuracyOf, simulateFederated, type DeviceRound, type FederatedConfig } from './simulate';
import type { AggregatePlan } from '../../src/privacy/aggregate/plan';

const ROOT = join(import.meta.dirname, '..', '..');

export interface EvalOptions {
  readonly sliceRounds: number;
  /** Devices of each sliced round replayed through Prio3 (all of them when absent). */
  readonly sliceDevices?: number;
  readonly outDir: string;
  readonly codebookDir: string;
  readonly provenanceDir?: string;
  readonly config: FederatedConfig;
  readonly epsilons: readonly number[];
  readonly init: 'zero' | 'public';
}

export interface EvalResult {
  readonly summary: FederatedSummary;
  readonly slice: readonly SliceRound[];
}

const seconds = (t0: number) => (performance.now() - t0) / 1000;

/** Runs the evaluation on dealt data and writes the docs and the ε = 2 codebook. */
export async function evaluateFederated(o: EvalOptions, data: FederatedData): Promise<EvalResult> {
  const t0 = performance.now();
  const init = o.init === 'zero' ? data.zero : data.publicHead;
  let t = performance.now();
  const nonPrivateAccuracy = accuracyOf(centralHead(data), data.test);
  const centralSeconds = seconds(t);
  const publicCodebookAccuracy = accuracyOf(data.publicHead, data.test);
  // Device choice is seeded (the same schedule for every ε); noise and rounding come from Web Crypto.
  const run = (epsilon: number | undefined, deviceRounds: number[] = []) =>
    simulateFederated(
      init,
      data.train,
      data.devices,
      data.test,
      { ...o.config, ...(epsilon === undefined ? {} : { epsilon }) },
      new SeededRandom(11),
      cryptoRandomSource,
      { deviceRounds, deviceSeed: 23, stats: data.publicStats },
    );
  t = performance.now();
  const noNoise = run(undefined);
  const noNoiseSeconds = seconds(t);
  const runs: EpsilonRun[] = [];
  const slice: SliceRound[] = [];
  let recorded: { plan: AggregatePlan; rounds: DeviceRound[] } | undefined;
  let codebook = '';
  for (const epsilon of o.epsilons) {
    t = performance.now();
    const sliceRounds = epsilon === 2 ? Array.from({ length: o.sliceRounds }, (_, i) => i) : [];
    const r = run(epsilon, sliceRounds);
    runs.push({
      epsilon,
      accuracy: accuracyOf(r.head, data.test),
      lastAccuracy: accuracyOf(r.last, data.test),
      plan: r.plan!,
      userLevel: r.participation!.userLevel,
      seconds: seconds(t),
    });
    process.stderr.write(`federated: ε ${epsilon}: ${(100 * runs.at(-1)!.accuracy).toFixed(1)} %\n`);
    if (epsilon === 2) {
      recorded = { plan: r.plan!, rounds: r.deviceRounds };
      const accuracy = runs.at(-1)!.accuracy;
      const path = await writeFederatedCodebook(
        r.head,
        data,
        o.codebookDir,
        { epsilon, config: o.config, accuracy },
        o.provenanceDir,
      );
      codebook = relative(ROOT, path);
    }
  }
  const summary: FederatedSummary = {
    devices: data.devices.length,
    rounds: noNoise.rounds,
    devicesPerRound: o.config.devicesPerRound,
    maxParticipation: noNoise.maxShare,
    delta: o.config.delta,
    results: runs.map((r) => ({ epsilon: r.epsilon, accuracy: r.accuracy })),
    nonPrivateAccuracy,
    publicCodebookAccuracy,
    codebook,
  };
  const details: RunDetails = {
    features: data.kind,
    model: data.model,
    examples: data.devices.reduce((n, d) => n + d.examples.length, 0),
    testImages: data.test.vectors.length,
    config: o.config,
    init: o.init,
    runs,
    federatedNoNoise: accuracyOf(noNoise.head, data.test),
    slice,
    seconds: { total: seconds(t0), central: centralSeconds, noNoise: noNoiseSeconds },
    load: loadavg()
      .map((x) => x.toFixed(1))
      .join(' '),
  };
  await mkdir(o.outDir, { recursive: true });
  await writeFile(join(o.outDir, 'federated.json'), summaryJson(summary));
  // The docs are written before the slice through Prio3 (the slowest part) and again after it.
  const writeMarkdown = () =>
    writeFile(
      join(o.outDir, 'federated.md'),
      renderMarkdown(summary, { ...details, seconds: { ...details.seconds, total: seconds(t0) } }),
    );
  await writeMarkdown();
  for (const round of recorded?.rounds ?? []) {
    slice.push(await replayRound(recorded!.plan, round, o.sliceDevices));
    process.stderr.write(
      `federated: round ${round.round + 1} through Prio3: ${slice.at(-1)!.exact ? 'same sum' : 'DIFFERENT'}\n`,
    );
    await writeMarkdown();
  }
  return { summary, slice };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      features: { type: 'string', default: 'real' },
      devices: { type: 'string', default: String(DEAL.devices) },
      'slice-rounds': { type: 'string', default: '1' },
      // 50 of a round's 500 devices: about two minutes of CPU (a full round takes about fifteen).
      'slice-devices': { type: 'string', default: '50' },
      'out-dir': { type: 'string', default: join(ROOT, 'docs') },
      'codebook-dir': { type: 'string' },
      extract: { type: 'boolean', default: false },
    },
  });
  const features = values.features as FeatureKind;
  if (features !== 'real' && features !== 'stand-in') throw new Error('--features is real or stand-in');
  if (features === 'real' && !values.extract && !(isCached('t10k', 10000) && isCached('train', 60000))) {
    throw new Error(
      'the Fashion-MNIST features are not all cached (.data/federated, or OBSCURA_FEDERATED_CACHE): ' +
        'node --import tsx scripts/federated/features.ts t10k 10000 (then train 60000) extracts them, ' +
        'or pass --extract; --features stand-in runs on the pixel stand-in',
    );
  }
  // The stand-in's codebook is not one the app can use (other features): it goes beside the docs.
  const codebookDir =
    values['codebook-dir'] ?? (features === 'real' ? join(ROOT, 'public', 'codebooks') : values['out-dir']);
  const data = await loadData(features, { ...DEAL, devices: Number(values.devices) });
  const { summary, slice } = await evaluateFederated(
    {
      sliceRounds: Number(values['slice-rounds']),
      ...(values['slice-devices'] ? { sliceDevices: Number(values['slice-devices']) } : {}),
      outDir: values['out-dir'],
      codebookDir,
      ...(features === 'real' && !values['codebook-dir'] ? { provenanceDir: join(ROOT, 'data', 'codebooks') } : {}),
      config: DEFAULT_CONFIG,
      epsilons: EPSILONS,
      init: INIT,
    },
    data,
  );
  console.log(summaryJson(summary));
  if (slice.some((s) => !s.exact)) {
    console.error("federated: the Prio3 slice did not give the mechanism math's sums");
    process.exitCode = 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
