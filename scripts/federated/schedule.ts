// The evaluation's schedule and training settings, chosen on the stand-in features (tune.ts).
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
  server: { kind: 'adam', learningRate: 0.05, beta1: 0.9, beta2: 0.99, tau: 1e-3 },
};

/** What training starts from: the zero head or the public codebook. */
export const INIT: 'zero' | 'public' = 'zero';
