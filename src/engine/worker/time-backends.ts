import type * as tf from '@tensorflow/tfjs-core';
import type { BackendName, Timings } from '../backends/backend-choice';
import type { ModelConfig } from '../model/model-config';
import type { BackendSession, StartSession } from './backend-session';

const RUNS = 3;

/**
 * Times the model on each candidate backend (median of a few runs after the
 * warm-up that loading does) and keeps the fastest session running. Backends that
 * fail to start are reported, not fatal.
 */
export async function timeBackends(
  candidates: readonly BackendName[],
  config: ModelConfig,
  artifacts: tf.io.ModelArtifacts,
  layer: string,
  startSession: StartSession,
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
  for (const name of candidates) {
    let session: BackendSession | undefined;
    try {
      session = await startSession(name, config, artifacts, layer);
      const runs: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        await session.extract([probe]);
        runs.push(performance.now() - t0);
      }
      const ms = runs.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
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
