// Test-only worker entry: the engine as the app's worker runs it, with tfjs-wasm's thread
// count forced from the worker's name ("threads-2") before any backend starts, and the
// count the backend actually uses reported back. tfjs-wasm caps threads at half of
// navigator.hardwareConcurrency, so this worker also reports twice the forced count as
// its cores: on a 2-core machine that is the only way to run 2 threads.
import { expose } from 'comlink';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm/dist/base';
import { EngineService } from '../../../src/engine/worker/engine-service';
import type { EngineOptions, Extraction } from '../../../src/engine/worker/engine-api';
import { DECODER_WORKER_NAME } from '../../../src/engine/worker/decoder-thread';

const forced = /^threads-(\d+)$/.exec(self.name)?.[1];
if (forced) {
  const cores = 2 * Number(forced);
  Object.defineProperty(Object.getPrototypeOf(navigator), 'hardwareConcurrency', { get: () => cores });
  setThreadsCount(Number(forced));
}

// Counts the pthread workers tfjs-wasm's threaded build starts here; the engine's own file decoder
// (decoder-thread.ts) is a worker of this worker too, and is not one of them.
let workersStarted = 0;
const NativeWorker = self.Worker;
self.Worker = class extends NativeWorker {
  constructor(url: string | URL, options?: WorkerOptions) {
    super(url, options);
    if (options?.name !== DECODER_WORKER_NAME) workersStarted++;
  }
};

const engine = new EngineService();
let calls = 0;

export const threadsWorker = {
  init: (options: EngineOptions) => engine.init(options),
  extract: (image: Blob): Promise<Extraction> => engine.extract(++calls, image),
  /** Threads tfjs-wasm's XNNPACK pool runs (1 on the single-thread builds). */
  threads: () => getThreadsCount(),
  isolated: () => self.crossOriginIsolated,
  /** Workers started so far (pthread workers of the threaded build), and the cores this worker reports. */
  workersStarted: () => workersStarted,
  cores: () => navigator.hardwareConcurrency,
};

expose(threadsWorker);
