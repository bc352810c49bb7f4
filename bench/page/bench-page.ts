// Benchmark page: drives the real worker through the bridge; bench/run.ts reads the results.
import type { Remote } from 'comlink';
import { EngineBridge } from '../../src/client/engine-bridge';
import type { BackendName } from '../../src/engine/backends/backend-choice';
import type { BenchEngineApi } from './bench-engine.worker';
import { resizedPixels } from '../../tests/e2e/pages/resized-pixels';

const benchEngineWorker = () =>
  new Worker(new URL('./bench-engine.worker.ts', import.meta.url), { type: 'module', name: 'obscura-engine-bench' });

/** The bare network kept loaded across a session bench, so each measurement between its blocks costs no load. */
let bare: { bridge: EngineBridge; pixels: ImageData } | undefined;

const api = {
  /** Cold start (new worker; HTTP cache as the page has it) and the model's fetch and build times. */
  async load(backend: BackendName) {
    const t0 = performance.now();
    const bridge = new EngineBridge({ backend });
    const status = await bridge.start();
    const startMs = performance.now() - t0;
    bridge.stop();
    return { startMs, fetchMs: status.modelFetchMs, buildMs: status.modelBuildMs };
  },
  /** Pipeline vs bare network, interleaved in the worker (the bench's own entry, which carries the timer). */
  async perImage(backend: BackendName, photoUrl: string, batch: number, iterations: number) {
    const bridge = new EngineBridge({ backend, createWorker: benchEngineWorker });
    await bridge.start();
    const engine = (await bridge.engine()) as unknown as Remote<BenchEngineApi>;
    const pixels = await resizedPixels(await (await fetch(photoUrl)).blob(), 224);
    const result = await engine.bench(pixels, { batch, iterations });
    bridge.stop();
    return result;
  },
  /** Loads the network once for `bareRun` (the session bench measures it between the app's blocks). */
  async bareOpen(backend: BackendName, photoUrl: string) {
    bare?.bridge.stop();
    // The session lasts minutes between calls: the worker must not be let go as idle in the middle of one.
    const bridge = new EngineBridge({ backend, idleStopMs: 3_600_000, createWorker: benchEngineWorker });
    const status = await bridge.start();
    bare = { bridge, pixels: await resizedPixels(await (await fetch(photoUrl)).blob(), 224) };
    return { backend: status.backend };
  },
  /** Pipeline vs bare network on the loaded engine, `iterations` of each, with the wall time of the call. */
  async bareRun(iterations: number) {
    if (!bare) throw new Error('bareOpen first');
    const engine = (await bare.bridge.engine()) as unknown as Remote<BenchEngineApi>;
    const t0 = performance.now();
    const result = await engine.bench(bare.pixels, { batch: 1, iterations });
    return { ...result, wallMs: performance.now() - t0 };
  },
  /** Files through the whole path (fetch, decode in the worker, network) in batches. */
  async throughput(backend: BackendName, urls: string[], batch: number) {
    const bridge = new EngineBridge({ backend });
    await bridge.start();
    const blobs = await Promise.all(urls.map(async (u) => (await fetch(u)).blob()));
    await bridge.extract(blobs[0]!);
    const t0 = performance.now();
    let failed = 0;
    for (let i = 0; i < blobs.length; i += batch) {
      const items = await bridge.extractBatch(blobs.slice(i, i + batch));
      failed += items.filter((x) => !x.ok).length;
    }
    const seconds = (performance.now() - t0) / 1000;
    bridge.stop();
    return { images: blobs.length, failed, seconds, imagesPerSecond: blobs.length / seconds };
  },
};

(window as unknown as { bench: typeof api }).bench = api;
document.documentElement.dataset['ready'] = 'true';
