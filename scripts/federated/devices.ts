// Simulated devices for the federated evaluation: the training set dealt out with non-IID labels
// (each device's class mix drawn from Dirichlet(α) over the classes, 2–10 examples a device).
import type { SeededRandom } from '../../eval/seeded-random';

export interface Device {
  /** Indices into the training set. */
  readonly examples: number[];
}

function normal(rng: SeededRandom): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Gamma(shape, 1) by Marsaglia and Tsang (2000), boosted for shape < 1. */
export function gamma(shape: number, rng: SeededRandom): number {
  if (shape < 1) return gamma(shape + 1, rng) * (1 - rng.next()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal(rng);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = 1 - rng.next();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

export function dirichlet(alpha: number, k: number, rng: SeededRandom): number[] {
  const g = Array.from({ length: k }, () => gamma(alpha, rng));
  const total = g.reduce((a, b) => a + b, 0);
  return g.map((x) => x / total);
}

export interface DealOptions {
  readonly devices: number;
  readonly alpha: number;
  readonly minExamples: number;
  readonly maxExamples: number;
}

/** Deals the labelled examples to devices; a class that runs out gives way to the next with examples left. */
export function dealDevices(labels: ArrayLike<number>, k: number, options: DealOptions, rng: SeededRandom): Device[] {
  const pools: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < labels.length; i++) pools[labels[i]!]!.push(i);
  for (const pool of pools) {
    for (let i = pool.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
  }
  const devices: Device[] = [];
  for (let d = 0; d < options.devices; d++) {
    const mix = dirichlet(options.alpha, k, rng);
    const n = rng.int(options.minExamples, options.maxExamples);
    const examples: number[] = [];
    for (let e = 0; e < n; e++) {
      let u = rng.next();
      let c = 0;
      while (c < k - 1 && u >= mix[c]!) u -= mix[c++]!;
      for (let tries = 0; tries < k && pools[c]!.length === 0; tries++) c = (c + 1) % k;
      const index = pools[c]!.pop();
      if (index === undefined) break;
      examples.push(index);
    }
    if (examples.length > 0) devices.push({ examples });
  }
  return devices;
}
