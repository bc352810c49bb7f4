// Rounds of DP-FedAvg on the mechanism math: each chosen device runs its local update on its own
// examples, clips it, rounds it to integers at the plan's scale (unbiased), and the round's sum gets
// the batch's Skellam noise, which is what the aggregators' sum of the devices' noisy shares carries
// (Skellam is closed under sums). The coordinator applies the mean with server momentum.
import { headLabel, headSize, type LinearHead } from '../../src/codebook/linear-head';
import { localUpdate, type LocalSteps } from '../../src/codebook/local-update';
import { applyMeanUpdate, startServer, type ServerOptimizer } from '../../src/codebook/server-optimizer';
import { planAggregate, type AggregatePlan } from '../../src/privacy/aggregate/plan';
import { drawSkellam, poissonSampler } from '../../src/privacy/aggregate/poisson';
import { quantiseUnbiased } from '../../src/privacy/aggregate/quantise';
import { RandomDraws } from '../../src/privacy/random/draws';
import type { RandomSource } from '../../src/privacy/random/random-source';
import { l2Normalize } from '../../src/privacy/vector/prepare';
import type { SeededRandom } from '../../eval/seeded-random';
import type { Device } from './devices';

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
}

export interface Labelled {
  readonly vectors: readonly ArrayLike<number>[];
  readonly labels: ArrayLike<number>;
}

export interface FederatedRun {
  readonly head: LinearHead;
  readonly plan?: AggregatePlan;
  readonly rounds: number;
  /** The largest share of all devices in any one round. */
  readonly maxShare: number;
  readonly accuracyByRound: number[];
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
  evaluateEvery = 0,
): FederatedRun {
  const dims = headSize(init.k, init.dims);
  const plan =
    config.epsilon === undefined
      ? undefined
      : planAggregate({
          epsilon: config.epsilon,
          delta: config.delta,
          nMin: config.devicesPerRound,
          dims,
          clip: config.clip,
          scale: config.scale,
          rounds: config.maxParticipations,
          neighbours: 'zero-out',
        });
  const batchNoise = plan ? poissonSampler(plan.mu * config.devicesPerRound) : undefined;
  const draws = new RandomDraws(source);
  const taken = new Uint16Array(devices.length);
  let server = startServer(init);
  let maxShare = 0;
  const accuracyByRound: number[] = [];
  let round = 0;
  for (; round < config.rounds; round++) {
    const eligible: number[] = [];
    taken.forEach((t, d) => t < config.maxParticipations && eligible.push(d));
    const chosen = chooseDevices(eligible, config.devicesPerRound, rng);
    // A round short of its n_min releases nothing: training stops there.
    if (chosen.length < config.devicesPerRound) break;
    maxShare = Math.max(maxShare, chosen.length / devices.length);
    const sum = new Float64Array(dims);
    for (const d of chosen) {
      taken[d]!++;
      const examples = devices[d]!.examples;
      const { update } = localUpdate(
        server.head,
        { vectors: examples.map((i) => train.vectors[i]!), labels: examples.map((i) => train.labels[i]!) },
        config.local,
        config.clip,
      );
      const q = quantiseUnbiased(update, config.scale, draws);
      for (let i = 0; i < dims; i++) sum[i]! += q[i]!;
    }
    if (batchNoise) for (let i = 0; i < dims; i++) sum[i]! += drawSkellam(batchNoise, draws);
    const mean = sum.map((x) => x / (chosen.length * config.scale));
    server = applyMeanUpdate(server, mean, config.server);
    if (evaluateEvery > 0 && (round + 1) % evaluateEvery === 0) accuracyByRound.push(accuracyOf(server.head, test));
  }
  return { head: server.head, ...(plan ? { plan } : {}), rounds: round, maxShare, accuracyByRound };
}
