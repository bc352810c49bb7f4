/**
 * The coordinator's step after a round: the mean of the devices' clipped updates, as the
 * aggregators released it (noisy), applied to the head with server momentum (DP-FedAvg with a
 * momentum server optimizer, Reddi et al. 2021, "Adaptive Federated Optimization"). It only
 * post-processes released sums, so it spends no privacy.
 */
import type { LinearHead } from './linear-head';

export interface ServerOptimizer {
  /** Server learning rate: 1 applies the mean update as it is. */
  readonly learningRate: number;
  /** Heavy-ball momentum in [0, 1). */
  readonly momentum: number;
}

export interface ServerState {
  readonly head: LinearHead;
  /** The momentum buffer (zero before the first round). */
  readonly velocity: Float64Array;
  /** Rounds applied so far: the head's version. */
  readonly version: number;
}

export function startServer(head: LinearHead): ServerState {
  return { head, velocity: new Float64Array(head.params.length), version: 0 };
}

/** The next head from the released mean update; the state given is left unchanged. */
export function applyMeanUpdate(state: ServerState, mean: ArrayLike<number>, optimizer: ServerOptimizer): ServerState {
  const size = state.head.params.length;
  if (mean.length !== size) throw new RangeError(`the mean update has ${mean.length} values, the head ${size}`);
  if (!(optimizer.learningRate > 0)) throw new RangeError(`the server learning rate must be positive`);
  if (!(optimizer.momentum >= 0 && optimizer.momentum < 1)) throw new RangeError(`momentum must be in [0, 1)`);
  const velocity = new Float64Array(size);
  const params = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    velocity[i] = optimizer.momentum * state.velocity[i]! + mean[i]!;
    params[i] = state.head.params[i]! + optimizer.learningRate * velocity[i]!;
  }
  return { head: { ...state.head, params }, velocity, version: state.version + 1 };
}
