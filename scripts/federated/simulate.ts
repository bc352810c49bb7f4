// Rounds of DP-FedAvg on the mechanism math: each chosen device runs its local update on its own
// examples, clips it, rounds it to integers at the plan's scale (unbiased), and the round's sum gets
// the batch's Skellam noise, which is what the aggregators' sum of the devices' noisy shares carries
// (Skellam is closed under sums). The coordinator applies the mean with its server optimizer.
// Rounds named in `deviceRounds` run the devices' own mechanism instead (noisyQuantisedVector: each
// device's Skellam share, clamping and offset, from a replayable source) and keep what each device
// sent, so the same round can be replayed through Prio3 and real aggregators (prio3-slice.ts).
import { headLabel, headSize, type LinearHead } from '../../src/codebook/linear-head';
import { localUpdate, type LocalSteps } from '../../src/codebook/local-update';
import { serverRound, type OptimizerBuffers, type ServerOptimizer } from '../../src/codebook/server-optimizer';
import { estimateFromSum } from '../../src/privacy/aggregate/estimate';
import { noisyQuantisedVector } from '../../src/privacy/aggregate/noisy-vector';
import { planForParticipations, type AggregatePlan, type ParticipationPlan } from '../../src/privacy/aggregate/plan';
import { drawSkellam, poissonSampler } from '../../src/privacy/aggregate/poisson';
import { quantiseUnbiased } from '../../src/privacy/aggregate/quantise';
import { RandomDraws } from '../../src/privacy/random/draws';
import type { RandomSource } from '../../src/privacy/random/random-source';
import { l2Normalize } from '../../src/privacy/vector/prepare';
import type { SeededRandom } from '../../eval/seeded-random';
import type { Device } from './devices';
import { seededSource } from './seeded-source';
import type { FeatureStats } from '../../src/codebook/standardise';

const BATCH_PART_MU = 4e6;

export interface FederatedConfig {
  /** User-level central ε over all rounds; undefined: no noise (the non-private FedAvg). */
  readonly epsilon?: number;
  readonly delta: number;
  readonly devicesPerRound: number;
  /** Rounds a device may take part in. */
  readonly maxParticipations: number;
  readonly rounds: number;
  readonly clip: number;
  readonly scale: number;
  readonly local: LocalSteps;
  readonly server: ServerOptimizer;
  /**
   * The published head is the mean of the heads after each of this last share of the rounds (Polyak
   * tail averaging): it averages the rounds' independent noise, and as post-processing costs no privacy.
   * 0 or absent: the last head.
   */
  readonly averageTail?: number;
  /**
   * Devices and server step in standardised coordinates (src/codebook/standardise.ts) from public feature
   * statistics, given as SimulateOptions.stats, as a task declaring them runs.
   */
  readonly standardise?: boolean;
}

export interface Labelled {
  readonly vectors: readonly ArrayLike<number>[];
  readonly labels: ArrayLike<number>;
}

/** One round run on the devices' mechanism: what each device sent, and the sum the mechanism math gives. */
export interface DeviceRound {
  readonly round: number;
  /** The seed of each device's source: seededSource(seed, round, device). */
  readonly seed: number;
  readonly devices: readonly number[];
  /** Each device's clipped update (the prepared vector it shards). */
  readonly updates: readonly Float64Array[];
  /** The sum of the devices' offset noisy quantised vectors, as the aggregators would release it. */
  readonly offsetSum: readonly number[];
}

export interface SimulateOptions {
  /** Record the training accuracy every this many rounds (0: never). */
  readonly evaluateEvery?: number;
  /** Rounds (0-based) run on the devices' own mechanism and recorded for the Prio3 replay. */
  readonly deviceRounds?: readonly number[];
  readonly deviceSeed?: number;
  /** Public feature statistics, for config.standardise. */
  readonly stats?: FeatureStats;
}

export interface FederatedRun {
  /** The published head: the tail average when config.averageTail is set. */
  readonly head: LinearHead;
  /** The last round's head: what `obscura train` publishes as its latest version. */
  readonly last: LinearHead;
  /** The per-round calibration (each participation's charge); absent without noise. */
  readonly plan?: AggregatePlan;
  /** The per-round plan with the user-level guarantee over a device's participations. */
  readonly participation?: ParticipationPlan;
  readonly rounds: number;
  /** The largest share of all devices in any one round. */
  readonly maxShare: number;
  readonly accuracyByRound: number[];
  readonly deviceRounds: DeviceRound[];
}

export function accuracyOf(head: LinearHead, test: Labelled): number {
  let right = 0;
  const scratch = new Float64Array(head.k);
  test.vectors.forEach((v, i) => {
    if (headLabel(head, l2Normalize(v), scratch) === test.labels[i]) right++;
  });
  return right / test.vectors.length;
}

/** Picks `count` devices uniformly among those that may still take part, or fewer when fewer may. */
function chooseDevices(eligible: number[], count: number, rng: SeededRandom): number[] {
  const n = Math.min(count, eligible.length);
  for (let i = 0; i < n; i++) {
    const j = rng.int(i, eligible.length - 1);
    [eligible[i], eligible[j]] = [eligible[j]!, eligible[i]!];
  }
  return eligible.slice(0, n);
}

export function simulateFederated(
  init: LinearHead,
  train: Labelled,
  devices: readonly Device[],
  test: Labelled,
  config: FederatedConfig,
  rng: SeededRandom,
  source: RandomSource,
  options: SimulateOptions = {},
): FederatedRun {
  const evaluateEvery = options.evaluateEvery ?? 0;
  const deviceRoundSet = new Set(options.deviceRounds ?? []);
  const deviceSeed = options.deviceSeed ?? 1;
  const deviceRounds: DeviceRound[] = [];
  const dims = headSize(init.k, init.dims);
  // Calibrated as a training task declares it: the per-round noise whose composition over a device's
  // participations meets the user-level ε (what each participation is charged on the device).
  const participation =
    config.epsilon === undefined
      ? undefined
      : planForParticipations(
          {
            epsilon: config.epsilon,
            delta: config.delta,
            nMin: config.devicesPerRound,
            dims,
            clip: config.clip,
            scale: config.scale,
            neighbours: 'zero-out',
          },
          config.maxParticipations,
        );
  const plan = participation?.perRound;
  // The batch's Skellam(n·μ) as a sum of parts small enough for the sampler's table (Skellam is closed
  // under sums, so the sum of the parts has exactly that distribution).
  const batchMu = plan ? plan.mu * config.devicesPerRound : 0;
  const batchParts = Math.max(1, Math.ceil(batchMu / BATCH_PART_MU));
  const batchNoise = plan ? poissonSampler(batchMu / batchParts) : undefined;
  const draws = new RandomDraws(source);
  const taken = new Uint16Array(devices.length);
  const stats = config.standardise ? options.stats : undefined;
  if (config.standardise && !stats) throw new RangeError('standardise needs the public feature statistics');
  // The coordinator's state, as published versions carry it: the plain head and the optimizer's buffers.
  let published = init;
  let buffers: OptimizerBuffers = { velocity: new Float64Array(dims), second: new Float64Array(dims) };
  let maxShare = 0;
  const accuracyByRound: number[] = [];
  // The rounds actually run are known only at the end (a short round stops training): the tail is
  // counted from the planned rounds, which every schedule here runs unless the devices run out.
  const planned = Math.min(
    config.rounds,
    Math.floor((devices.length * config.maxParticipations) / config.devicesPerRound),
  );
  const tailFrom = config.averageTail ? Math.floor(planned * (1 - config.averageTail)) : Infinity;
  const tail = new Float64Array(dims);
  let tailCount = 0;
  let round = 0;
  for (; round < config.rounds; round++) {
    const eligible: number[] = [];
    taken.forEach((t, d) => t < config.maxParticipations && eligible.push(d));
    const chosen = chooseDevices(eligible, config.devicesPerRound, rng);
    // A round short of its n_min releases nothing: training stops there.
    if (chosen.length < config.devicesPerRound) break;
    maxShare = Math.max(maxShare, chosen.length / devices.length);
    const onDevices = plan !== undefined && deviceRoundSet.has(round);
    const sum = new Float64Array(dims);
    const updates: Float64Array[] = [];
    const offsetSum = new Array<number>(dims).fill(0);
    for (const d of chosen) {
      taken[d]!++;
      const examples = devices[d]!.examples;
      const { update } = localUpdate(
        published,
        { vectors: examples.map((i) => train.vectors[i]!), labels: examples.map((i) => train.labels[i]!) },
        config.local,
        config.clip,
        stats,
      );
      if (onDevices) {
        updates.push(update);
        const sent = noisyQuantisedVector(update, plan, seededSource(deviceSeed, round, d));
        for (let i = 0; i < dims; i++) offsetSum[i]! += sent[i]!;
        continue;
      }
      const q = quantiseUnbiased(update, config.scale, draws);
      for (let i = 0; i < dims; i++) sum[i]! += q[i]!;
    }
    let mean: Float64Array;
    if (onDevices) {
      deviceRounds.push({ round, seed: deviceSeed, devices: chosen, updates, offsetSum });
      mean = estimateFromSum(offsetSum, chosen.length, plan).mean;
    } else {
      if (batchNoise) {
        for (let i = 0; i < dims; i++) for (let p = 0; p < batchParts; p++) sum[i]! += drawSkellam(batchNoise, draws);
      }
      mean = sum.map((x) => x / (chosen.length * config.scale));
    }
    const next = serverRound(published, buffers, mean, config.server, stats);
    published = next.head;
    buffers = next;
    if (round >= tailFrom) {
      tailCount++;
      for (let i = 0; i < dims; i++) tail[i]! += (published.params[i]! - tail[i]!) / tailCount;
    }
    if (evaluateEvery > 0 && (round + 1) % evaluateEvery === 0) accuracyByRound.push(accuracyOf(published, test));
  }
  const head = tailCount > 0 ? { ...published, params: tail } : published;
  return {
    head,
    last: published,
    ...(participation ? { plan: participation.perRound, participation } : {}),
    rounds: round,
    maxShare,
    accuracyByRound,
    deviceRounds,
  };
}
