// Test page: runs the engine in a worker whose tfjs-wasm thread count is forced, and
// returns what it computed, how many threads it ran, and whether the page is isolated.
import { wrap } from 'comlink';
import { MOBILENET_V2 } from '../../../src/engine/model/registry';
import type { threadsWorker } from './threads.worker';

/** The default model registered again without its cut: every layer comes from the full network. */
const FULL_MODEL = { ...MOBILENET_V2, id: 'mobilenet_v2_full', cuts: [] };

export interface ThreadsRun {
  readonly isolated: boolean;
  readonly workerIsolated: boolean;
  readonly backend: string;
  readonly threads: number;
  /** Workers the engine's worker started (the threaded build's pthread workers), and the cores it reports. */
  readonly workersStarted: number;
  readonly cores: number;
  readonly vectors: number[][];
  /** Wall time from creating the worker to the first vector, and the median per image after it. */
  readonly firstVectorMs: number;
  readonly msPerImage: number;
}

export const api = {
  /**
   * `threads` undefined leaves the engine's own choice (wasm-thread-count.ts when isolated, else 1);
   * `model: 'full'` loads the full network instead of the cut made for the default layer.
   */
  async run(
    threads: number | undefined,
    photos: readonly string[],
    repeat = 1,
    model: 'cut' | 'full' = 'cut',
  ): Promise<ThreadsRun> {
    const t0 = performance.now();
    const worker = new Worker(new URL('./threads.worker.ts', import.meta.url), {
      type: 'module',
      name: threads === undefined ? 'threads-default' : `threads-${threads}`,
    });
    const engine = wrap<typeof threadsWorker>(worker);
    try {
      const status = await engine.init({
        backend: 'wasm',
        modelBaseUrl: new URL('/', location.href).href,
        ...(model === 'full' ? { modelId: FULL_MODEL.id, models: [FULL_MODEL] } : {}),
      });
      const blobs = await Promise.all(photos.map(async (p) => (await fetch(`/__fixtures__/${p}`)).blob()));
      const vectors: number[][] = [];
      let firstVectorMs = 0;
      for (const blob of blobs) {
        vectors.push(Array.from((await engine.extract(blob)).vector));
        if (firstVectorMs === 0) firstVectorMs = performance.now() - t0;
      }
      const times: number[] = [];
      for (let r = 0; r < repeat; r++) {
        const t = performance.now();
        await engine.extract(blobs[0]!);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      return {
        isolated: crossOriginIsolated,
        workerIsolated: await engine.isolated(),
        backend: status.backend,
        threads: await engine.threads(),
        workersStarted: await engine.workersStarted(),
        cores: await engine.cores(),
        vectors,
        firstVectorMs,
        msPerImage: times[Math.floor(times.length / 2)] ?? 0,
      };
    } finally {
      worker.terminate();
    }
  },
};

(window as unknown as { threads: typeof api }).threads = api;
document.documentElement.dataset['ready'] = 'true';
