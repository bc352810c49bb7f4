import type * as tf from '@tensorflow/tfjs-core';
import type { BackendName, Timings } from '../backends/backend-choice';
import type { ModelConfig } from '../model/model-config';
import type { BackendSession, StartSession } from './backend-session';

const RUNS = 3;

/**
 * Times the model on each candidate backend (median of a few runs after the
 * warm-up that loading does) and keeps the fastest session running. Backends that
 * fail to start are reported, not fatal.
 *
 * WASM is timed first: it starts fast and sets the bar early. A backend stops being timed as soon as
 * more than half its runs are slower than the best median so far, since its median can then no longer
 * win; its timing is then the fastest of its runs, a lower bound of the median it would have had.
 * A software GPU needs seconds a run, so this spares calibration most of its time, and it never
 * changes which backend wins.
 */
export async function timeBackends(
  candidates: readonly BackendName[],
  config: ModelConfig,
  artifacts: tf.io.ModelArtifacts,
  layer: string,
  startSession: StartSession,
  now: () => number = () => performance.now(),
): Promise<{
  timings: Timings;
  best: BackendSession | undefined;
  failures: { backend: BackendName; message: string }[];
}> {
  const timings: Timings = {};
  const failures: { backend: BackendName; message: string }[] = [];
  let best: BackendSession | undefined;
  const [h, w] = config.inputSize;
  const probe = new ImageData(new Uint8ClampedArray(w * h * 4).fill(128), w, h);
  for (const name of timingOrder(candidates)) {
    let session: BackendSession | undefined;
    try {
      session = await startSession(name, config, artifacts, layer);
      const bar = best ? timings[best.backend]! : Infinity;
      const runs: number[] = [];
      while (runs.length < RUNS && runs.filter((ms) => ms > bar).length <= RUNS / 2) {
        const t0 = now();
        await session.extract([probe]);
        runs.push(now() - t0);
      }
      runs.sort((a, b) => a - b);
      const ms = runs.length === RUNS ? runs[Math.floor(RUNS / 2)]! : runs[0]!;
      timings[name] = ms;
      if (!best || ms < timings[best.backend]!) {
        best?.dispose();
        best = session;
      } else {
        session.dispose();
      }
    } catch (err) {
      session?.dispose();
      failures.push({ backend: name, message: (err as Error).message });
    }
  }
  return { timings, best, failures };
}

/** The candidates with WASM first, the rest in their order. */
export function timingOrder(candidates: readonly BackendName[]): BackendName[] {
  return [...candidates.filter((c) => c === 'wasm'), ...candidates.filter((c) => c !== 'wasm')];
}
