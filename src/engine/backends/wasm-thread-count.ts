/**
 * How many threads tfjs-wasm runs, from the logical cores. The network and the decoding of the next
 * image share the machine: below 4 cores a second thread only competes with the decoder (measured:
 * more CPU, no reliable speed-up on 2 cores), so the single-thread build runs; from 4 cores, half of
 * them, as tfjs would choose, at most 8.
 */
export const MIN_CORES_FOR_THREADS = 4;

export function wasmThreadCount(cores: number): number {
  if (!(cores >= MIN_CORES_FOR_THREADS)) return 1;
  return Math.min(8, Math.floor(cores / 2));
}

/** The logical cores this context reports (1 where it reports none). */
export function logicalCores(): number {
  return (globalThis.navigator?.hardwareConcurrency ?? 0) || 1;
}
