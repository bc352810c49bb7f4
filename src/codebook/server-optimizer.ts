/**
 * The coordinator's step after a round: the mean of the devices' clipped updates, as the
 * aggregators released it (noisy), applied to the head by a server optimizer (Reddi et al. 2021,
 * "Adaptive Federated Optimization"): heavy-ball momentum (FedAvgM) or Adam (FedAdam), whose
 * per-coordinate scaling copes with features of very different spreads. It only post-processes
 * released sums, so it spends no privacy.
 */
import type { LinearHead } from './linear-head';
import { toPlain, toStandardised, type FeatureStats } from './standardise';

export type ServerOptimizer =
  | {
      readonly kind?: 'momentum';
      /** Server learning rate: 1 applies the mean update as it is. */
      readonly learningRate: number;
      /** Heavy-ball momentum in [0, 1). */
      readonly momentum: number;
    }
  | {
      readonly kind: 'adam';
      readonly learningRate: number;
      readonly beta1: number;
      readonly beta2: number;
      /** Adaptivity floor τ: how small a coordinate's spread may be before it stops being scaled up. */
      readonly tau: number;
    };

export interface ServerState {
  readonly head: LinearHead;
  /** First-moment (momentum) buffer, zero before the first round. */
  readonly velocity: Float64Array;
  /** Second-moment buffer (Adam only). */
  readonly second: Float64Array;
  /** Rounds applied so far: the head's version. */
  readonly version: number;
}

export function startServer(head: LinearHead): ServerState {
  const size = head.params.length;
  return { head, velocity: new Float64Array(size), second: new Float64Array(size), version: 0 };
}

function check(optimizer: ServerOptimizer): void {
  if (!(optimizer.learningRate > 0)) throw new RangeError(`the server learning rate must be positive`);
  if (optimizer.kind === 'adam') {
    for (const [name, b] of [
      ['beta1', optimizer.beta1],
      ['beta2', optimizer.beta2],
    ] as const) {
      if (!(b >= 0 && b < 1)) throw new RangeError(`${name} must be in [0, 1)`);
    }
    if (!(optimizer.tau > 0)) throw new RangeError(`tau must be positive`);
  } else if (!(optimizer.momentum >= 0 && optimizer.momentum < 1)) {
    throw new RangeError(`momentum must be in [0, 1)`);
  }
}

/** The next head from the released mean update; the state given is left unchanged. */
export function applyMeanUpdate(state: ServerState, mean: ArrayLike<number>, optimizer: ServerOptimizer): ServerState {
  const size = state.head.params.length;
  if (mean.length !== size) throw new RangeError(`the mean update has ${mean.length} values, the head ${size}`);
  check(optimizer);
  const velocity = new Float64Array(size);
  const second = new Float64Array(size);
  const params = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const g = mean[i]!;
    if (optimizer.kind === 'adam') {
      velocity[i] = optimizer.beta1 * state.velocity[i]! + (1 - optimizer.beta1) * g;
      second[i] = optimizer.beta2 * state.second[i]! + (1 - optimizer.beta2) * g * g;
      params[i] =
        state.head.params[i]! + (optimizer.learningRate * velocity[i]!) / (Math.sqrt(second[i]!) + optimizer.tau);
    } else {
      velocity[i] = optimizer.momentum * state.velocity[i]! + g;
      params[i] = state.head.params[i]! + optimizer.learningRate * velocity[i]!;
    }
  }
  return { head: { ...state.head, params }, velocity, second, version: state.version + 1 };
}

/** The server optimizer's buffers, as a published version carries them. */
export interface OptimizerBuffers {
  readonly velocity: ArrayLike<number>;
  readonly second: ArrayLike<number>;
}

/**
 * One round at the coordinator, as the product's coordinator and the evaluation both run it: from the
 * published (plain) head and the optimizer's buffers, the released mean change is applied in the
 * coordinates the devices stepped in (standardised when the task declares feature statistics, see
 * standardise.ts), and the next head is published plain again. Buffers of another length (a version
 * made before the optimizer had any) start at zero.
 */
export function serverRound(
  published: LinearHead,
  buffers: OptimizerBuffers,
  mean: ArrayLike<number>,
  optimizer: ServerOptimizer,
  stats?: FeatureStats,
): { readonly head: LinearHead; readonly velocity: Float64Array; readonly second: Float64Array } {
  const size = published.params.length;
  const restore = (values: ArrayLike<number>) =>
    values.length === size ? Float64Array.from(values) : new Float64Array(size);
  const state: ServerState = {
    head: stats ? toStandardised(published, stats) : published,
    velocity: restore(buffers.velocity),
    second: restore(buffers.second),
    version: 0,
  };
  const next = applyMeanUpdate(state, mean, optimizer);
  return { head: stats ? toPlain(next.head, stats) : next.head, velocity: next.velocity, second: next.second };
}
