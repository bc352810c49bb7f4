import type * as tf from '@tensorflow/tfjs-core';
import { describeError, ObscuraError } from '../../errors';
import {
  BACKENDS,
  autoCandidates,
  decideBackend,
  fallbackOrder,
  needsTiming,
  type BackendName,
  type BackendProbe,
  type Timings,
} from '../backends/backend-choice';
import { activateBackend, prefetchWasmBuild } from '../backends/activate-backend';
import { cachedOtherThanWasm, readCachedChoice, writeCachedChoice } from '../backends/choice-cache';
import { probeBackends } from '../backends/probe-backends';
import type { ModelConfig } from '../model/model-config';
import { planFoldedNetwork } from '../model/fold-batch-norm';
import { configForLayer } from '../model/model-files';
import { ModelRegistry, DEFAULT_MODEL_ID } from '../model/registry';
import { checkImageSize } from '../input-limits';
import { BackendSession, type SessionInput, type StartSession } from './backend-session';
import { timeBackends } from './time-backends';
import type {
  BatchItem,
  EngineApi,
  EngineOptions,
  EngineStatus,
  Extraction,
  ImageInput,
  IndexedItem,
  LoadProgress,
  VideoExtraction,
} from './engine-api';
import { HandOver } from './hand-over';
import { fetchModelArtifacts } from './model-artifacts';
import { bitmapPixels, hashPixels } from './pixels';
import { DecoderThread, pixelsHere } from './decoder-thread';
import type { FilePixels, PreparedFile } from './file-pixels';
import { isNetworkInput } from '../pixels-to-input';
import { DecodeAhead } from './decode-ahead';
import { markStartup } from './startup-marks';

type Failure = { backend: BackendName; message: string };
type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

function settle<T>(work: Promise<T>): Promise<Settled<T>> {
  return work.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

export interface EngineServiceOptions {
  /** Builds the network on a backend (default: BackendSession.start); a wrapper may watch the sessions. */
  readonly startSession?: StartSession;
}

/** The worker's engine: chooses a backend, holds the model, turns images into clean vectors. */
export class EngineService implements EngineApi {
  private session: BackendSession | undefined;
  private current: EngineStatus | undefined;
  private config: ModelConfig | undefined;
  private artifacts: tf.io.ModelArtifacts | undefined;
  private probes: BackendProbe[] = [];
  private failures: Failure[] = [];
  private readonly cancelled = new Set<number>();
  private releasePort: MessagePort | undefined;
  private readonly startSession: StartSession;
  /** The init under way: calls that arrive meanwhile wait for it instead of failing. */
  private loading: Promise<EngineStatus> | undefined;
  /** Calls with images waiting for the init under way. */
  private waiting = 0;
  private firstImageMarked = false;
  private readonly decoder = new DecoderThread();

  constructor(options: EngineServiceOptions = {}) {
    this.startSession = options.startSession ?? BackendSession.start;
  }

  init(options: EngineOptions, onProgress?: (progress: LoadProgress) => void): Promise<EngineStatus> {
    const loading = this.load(options, onProgress);
    this.loading = loading;
    return loading;
  }

  private async load(options: EngineOptions, onProgress?: (progress: LoadProgress) => void): Promise<EngineStatus> {
    markStartup('init');
    this.session?.dispose();
    this.session = undefined;
    this.artifacts = undefined;
    this.failures = [];
    const registry = new ModelRegistry();
    for (const m of options.models ?? []) registry.register(m);
    const config = registry.get(options.modelId ?? DEFAULT_MODEL_ID);
    const layer = options.layer ?? config.defaultLayer;

    const t0 = performance.now();
    const report = (phase: LoadProgress['phase'], fraction: number) => void onProgress?.({ phase, fraction });
    // The cut made for this layer when there is one (a fraction of the weights), else the full model.
    const files = configForLayer(config, layer);
    // The model, the backend probe and the backend's own start (for WASM: fetching and compiling its
    // build) do not depend on each other: on a slow line they overlap instead of queueing.
    let modelFetchMs = 0;
    const fetching = settle(
      fetchModelArtifacts(files, options.modelBaseUrl, (f) => report('fetch', f)).finally(
        () => (modelFetchMs = performance.now() - t0),
      ),
    );
    this.config = config;
    // The first real image warms the kernels up itself when it is already waiting, for the default model
    // (whose kernels the engine starts with: another model may need some fetched, which the warm-up finds).
    const skipWarmUp = () => {
      markStartup('model-built');
      return this.waiting > 0 && config.id === DEFAULT_MODEL_ID;
    };
    const request = options.backend ?? 'auto';
    const mode = options.calibrate ?? 'auto';
    // WASM runs unless a GPU backend is asked for by name or taken untimed: it is the backend chosen, or one
    // timed against a GPU, or (with a choice cached) already in the cache from the visit that timed it. Its
    // build downloads while the other backends are probed and the cached choice is read.
    const wasmRuns = request === 'wasm' || (request === 'auto' && mode !== 'never');
    if (wasmRuns) void prefetchWasmBuild();
    const probing = probeBackends();
    // WASM is moreover the first backend to start unless a calibration cached a GPU: asked for, timed first,
    // or the one that works without a GPU. Then it starts now, while the GPU backends are probed.
    const cachedGpu =
      request === 'auto' && mode === 'auto' && options.useCachedChoice !== false && (await cachedOtherThanWasm());
    const wasmFirst =
      wasmRuns && !cachedGpu ? settle(activateBackend('wasm').finally(() => markStartup('backend-ready'))) : undefined;
    this.probes = await probing;
    markStartup('probed');

    let timings: Timings = {};
    let fromCache = false;
    let candidates: BackendName[];
    if (request !== 'auto') {
      const probe = this.probes.find((p) => p.name === request);
      if (!BACKENDS.includes(request) || !probe?.available) {
        throw new ObscuraError(
          'BackendUnavailableError',
          `backend "${request}" is not available here: ${probe?.detail ?? `expected one of ${BACKENDS.join(', ')}`}`,
          { backend: request },
        );
      }
      candidates = [request];
    } else {
      candidates = autoCandidates(this.probes, mode === 'always');
      const cacheKey = JSON.stringify([
        navigator.userAgent,
        this.probes.map((p) => [p.name, p.available, p.detail]),
        config.id,
        layer,
      ]);
      const cached =
        mode === 'auto' && options.useCachedChoice !== false ? await readCachedChoice(cacheKey) : undefined;
      if (cached && candidates.includes(cached.backend)) {
        timings = cached.timings;
        fromCache = true;
        candidates = [cached.backend, ...candidates.filter((c) => c !== cached.backend)];
      } else if (mode === 'always' || (mode === 'auto' && needsTiming(candidates))) {
        this.artifacts = await this.arrived(fetching, report);
        report('calibrate', 0);
        // Timing starts WASM first: not while its early start is under way (tfjs starts a backend once).
        await wasmFirst;
        const result = await timeBackends(candidates, config, this.artifacts, layer, this.startSession);
        timings = result.timings;
        this.failures.push(...result.failures);
        this.session = result.best;
        if (this.session) await writeCachedChoice(cacheKey, this.session.backend, timings);
      }
    }
    if (!this.session) {
      // The backend that will most likely run starts while the model is still arriving; should it fail,
      // startFirstWorking tries it again and records why before moving on.
      const first = candidates[0];
      if (first !== 'wasm') await wasmFirst;
      const warming =
        first === 'wasm' && wasmFirst
          ? wasmFirst
          : first
            ? settle(activateBackend(first).finally(() => markStartup('backend-ready')))
            : undefined;
      this.artifacts ??= await this.arrived(fetching, report);
      // The network's weights are read and folded now, needing no backend, while the backend may still start.
      if (config.format === 'layers') planFoldedNetwork(this.artifacts, layer);
      await warming;
      this.session = await this.startFirstWorking(candidates, config, layer, skipWarmUp);
    }
    markStartup('ready');
    report('build', 1);
    const decision = decideBackend(
      this.probes,
      [this.session.backend, ...candidates.filter((c) => c !== this.session!.backend)],
      timings,
    );
    this.current = {
      backend: this.session.backend,
      reasons: this.withFailures({ ...decision.reasons }, fromCache),
      probes: this.probes,
      timings,
      choiceFromCache: fromCache,
      model: this.session.extractor.model,
      modelFetchMs,
      modelBuildMs: this.session.buildMs,
      failures: [...this.failures],
    };
    return this.current;
  }

  /** The model's files once fetched; a failed fetch fails init as it did before anything else ran. */
  private async arrived(
    fetching: Promise<Settled<tf.io.ModelArtifacts>>,
    report: (phase: LoadProgress['phase'], fraction: number) => void,
  ): Promise<tf.io.ModelArtifacts> {
    const fetched = await fetching;
    if (!fetched.ok) throw fetched.error;
    markStartup('model-fetched');
    report('build', 0);
    return fetched.value;
  }

  private async startFirstWorking(
    candidates: readonly BackendName[],
    config: ModelConfig,
    layer: string,
    skipWarmUp?: () => boolean,
  ): Promise<BackendSession> {
    for (const name of candidates) {
      try {
        return await this.startSession(name, config, this.artifacts!, layer, skipWarmUp ? { skipWarmUp } : {});
      } catch (err) {
        // A wrong layer or broken weights fail on every backend alike: say so at once.
        if ((err as Error).name === 'UnknownLayerError' || (err as Error).name === 'ModelLoadError') throw err;
        this.failures.push({ backend: name, message: (err as Error).message });
      }
    }
    throw new ObscuraError(
      'BackendUnavailableError',
      `no backend could run the model: ${this.failures.map((f) => `${f.backend}: ${f.message}`).join('; ')}`,
    );
  }

  private withFailures(reasons: Record<BackendName, string>, fromCache: boolean): Record<BackendName, string> {
    for (const f of this.failures) reasons[f.backend] = `failed: ${f.message}`;
    const chosen = this.session!.backend;
    if (fromCache) reasons[chosen] = `chosen: fastest in an earlier calibration (cached); ${reasons[chosen]}`;
    return reasons;
  }

  status(): EngineStatus | undefined {
    return this.current;
  }

  async extract(callId: number, input: ImageInput, name?: string): Promise<Extraction> {
    try {
      const [item] = await this.extractMany(callId, [input], name ? [name] : undefined, true);
      if (!item!.ok) throw new Error('unreachable');
      return item!.value;
    } finally {
      this.cancelled.delete(callId);
    }
  }

  async extractBatch(callId: number, inputs: ImageInput[], names?: string[]): Promise<BatchItem[]> {
    try {
      return await this.extractMany(callId, inputs, names, false);
    } finally {
      this.cancelled.delete(callId);
    }
  }

  async extractEach(
    callId: number,
    inputs: ImageInput[],
    names: string[] | undefined,
    onItems: (items: readonly IndexedItem[]) => void | Promise<void>,
  ): Promise<void> {
    // The items travel on the callback's own port: the call settles only once the page has heard them all.
    const heard: Promise<void>[] = [];
    const handOver = new HandOver<IndexedItem>((items) => {
      heard.push(Promise.resolve(onItems(items)).catch(() => undefined));
    });
    try {
      await this.extractMany(callId, inputs, names, false, (i, item) => handOver.add([i, item]));
    } finally {
      // Items held when the batch ends, or stops, still reach the page.
      handOver.flush();
      await Promise.all(heard);
      this.cancelled.delete(callId);
    }
  }

  async extractFrames(callId: number, frames: ImageBitmap[]): Promise<VideoExtraction> {
    if (frames.length === 0) throw new ObscuraError('EmptyVideoError', 'the video gave no frames to extract');
    const items = await this.extractBatch(
      callId,
      frames,
      frames.map((_, i) => `frame ${i + 1}`),
    );
    const failed = items.find((i) => !i.ok);
    if (failed && !failed.ok) throw new ObscuraError(failed.error.name as 'DecodeError', failed.error.message);
    const extractions = items.map((i) => (i as { value: Extraction }).value);
    const dims = extractions[0]!.vector.length;
    const pooled = new Float32Array(dims);
    for (const e of extractions) for (let j = 0; j < dims; j++) pooled[j]! += e.vector[j]! / extractions.length;
    return { frames: extractions, pooled, model: extractions[0]!.model };
  }

  private async extractMany(
    callId: number,
    inputs: readonly ImageInput[],
    names: readonly string[] | undefined,
    throwFirst: boolean,
    onItem?: (index: number, item: BatchItem) => void | Promise<void>,
  ): Promise<BatchItem[]> {
    if (!this.config) this.requireSession();
    if (!this.firstImageMarked && inputs.length > 0) markStartup('first-asked');
    const config = this.config!;
    const nameOf = (i: number) => names?.[i] ?? (inputs.length > 1 ? `image ${i + 1}` : 'image');
    // The next images decode while the network runs on this one (Chrome decodes off this thread).
    const decoding = new DecodeAhead(inputs.length, (i) => settle(this.prepare(inputs[i]!, config, nameOf(i))));
    const out: BatchItem[] = [];
    // Streamed items are handed over, not kept: a long batch holds one result at a time here.
    const emit = (i: number, item: BatchItem) => (onItem ? void onItem(i, item) : void out.push(item));
    // The first images decode while the model is still loading.
    const first = inputs.length > 0 ? decoding.take(0) : undefined;
    try {
      await this.loaded(inputs.length > 0);
    } catch (err) {
      // Let the decodes settle so their bitmaps are closed.
      await first;
      await decoding.settle();
      throw err;
    }
    for (let i = 0; i < inputs.length; i++) {
      const taken = i === 0 ? first! : decoding.take(i);
      if (i > 0) await decoding.between();
      const prepared = await taken;
      try {
        this.throwIfCancelled(callId);
        if (!prepared.ok) throw prepared.error;
        const { image, contentHash, sourceWidth, sourceHeight, decodeMs } = prepared.value;
        const t0 = performance.now();
        if (!this.firstImageMarked) markStartup('first-decoded');
        const [vector] = await this.runWithFallback([image]);
        const inferMs = performance.now() - t0;
        // Uploaded: the decoder writes a later file's input over it.
        if (isNetworkInput(image)) this.decoder.recycle(image.normalised);
        if (!this.firstImageMarked) markStartup('first-inferred');
        this.firstImageMarked = true;
        const session = this.session!;
        // Copied, not transferred: the page gets the vector too, for its preview.
        this.releasePort?.postMessage({ contentHash, vector: vector!, model: session.extractor.model });
        emit(i, {
          ok: true,
          value: {
            vector: vector!,
            model: session.extractor.model,
            backend: session.backend,
            contentHash,
            sourceWidth,
            sourceHeight,
            timings: { decodeMs, inferMs },
          },
        });
      } catch (err) {
        if (throwFirst || (err as Error).name === 'AbortError') {
          await decoding.settle(); // let the decodes in flight finish, so their bitmaps are closed
          throw err;
        }
        emit(i, { ok: false, error: describeError(err) });
      }
    }
    return out;
  }

  private async prepare(input: ImageInput, config: ModelConfig, name: string) {
    const t0 = performance.now();
    // While the model still loads this thread is idle: the first files decode here, and the decoder thread
    // starts only once the network runs (on a first visit its start would share the line and the CPU).
    let read: PreparedFile;
    if (!(input instanceof Blob)) {
      const { pixels, ...rest } = await this.toPixels(input, config, name);
      read = { image: pixels, ...rest };
    } else read = this.session ? await this.decoder.decode(input, config, name) : await pixelsHere(input, config, name);
    return { ...read, decodeMs: performance.now() - t0 };
  }

  /** Pixels already in memory (a bitmap, a frame, ImageData) at the network's input size, hashed. */
  private async toPixels(input: Exclude<ImageInput, Blob>, config: ModelConfig, name: string): Promise<FilePixels> {
    checkImageSize(input.width, input.height, name);
    const [h, w] = config.inputSize;
    if (input instanceof ImageData && input.width === w && input.height === h)
      return { pixels: input, contentHash: await hashPixels(input), sourceWidth: w, sourceHeight: h };
    const bitmap = await createImageBitmap(input, { resizeWidth: w, resizeHeight: h, resizeQuality: 'high' });
    let pixels: ImageData;
    try {
      pixels = bitmapPixels(bitmap);
    } finally {
      bitmap.close();
      if (input instanceof ImageBitmap) input.close();
    }
    return { pixels, contentHash: await hashPixels(pixels), sourceWidth: input.width, sourceHeight: input.height };
  }

  /** Runs on the current backend; if it breaks, moves to the next working backend and runs again. */
  private async runWithFallback(images: readonly SessionInput[]): Promise<Float32Array[]> {
    for (;;) {
      const session = this.requireSession();
      try {
        return await session.extract(images);
      } catch (err) {
        if ((err as Error).name !== 'BackendFailedError') throw err;
        this.failures.push({ backend: session.backend, message: (err as Error).message });
        session.dispose();
        this.session = undefined;
        this.session = await this.startFirstWorking(
          fallbackOrder(session.backend, this.probes),
          this.config!,
          session.extractor.model.layer,
        );
        this.current = {
          ...this.current!,
          backend: this.session.backend,
          reasons: {
            ...this.current!.reasons,
            [session.backend]: `failed while running, fell back to ${this.session.backend}: ${(err as Error).message}`,
            [this.session.backend]: `chosen: fallback after ${session.backend} failed`,
          },
          failures: [...this.failures],
        };
      }
    }
  }

  connectRelease(port: MessagePort): void {
    this.releasePort?.close();
    this.releasePort = port;
  }

  cancel(callId: number): void {
    this.cancelled.add(callId);
  }

  private throwIfCancelled(callId: number): void {
    if (this.cancelled.has(callId)) throw new ObscuraError('AbortError', 'the extraction was cancelled');
  }

  /** Waits for the init under way, if any; `withImages` tells it an image waits (its run is the warm-up). */
  private async loaded(withImages: boolean): Promise<void> {
    if (!this.loading) return;
    if (withImages) this.waiting++;
    try {
      await this.loading;
    } finally {
      if (withImages) this.waiting--;
    }
  }

  private requireSession(): BackendSession {
    if (!this.session) throw new ObscuraError('ModelLoadError', 'the engine has no model loaded; call init first');
    return this.session;
  }
}
