import { proxy, transfer, wrap, type Remote } from 'comlink';
import { ObscuraError } from '../errors';
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
} from '../engine/worker/engine-api';
import { wasmBuild } from '../engine/backends/wasm-build';
import { modelFileUrls } from '../engine/model/model-files';
import { DEFAULT_MODEL_ID, ModelRegistry } from '../engine/model/registry';
import { scriptReceived } from './script-received';
import type { ReleaseBridge } from './release-bridge';

export interface EngineBridgeOptions extends Partial<EngineOptions> {
  /** Stop the worker after this long without calls (default 5 minutes); the next call starts it again. */
  idleStopMs?: number;
  /** Hears model loading progress each time the worker (re)starts. */
  onLoadProgress?: (progress: LoadProgress) => void;
  /**
   * The release worker that may release this engine's extractions: each clean vector
   * goes to it once, directly, over a MessageChannel between the two workers.
   */
  release?: ReleaseBridge;
  /** Starts the engine worker (default: the production entry); tests pass their own entry. */
  createWorker?: () => Worker;
}

/** The production entry's script, as the bundle names it (engine.worker-<hash>.js) or the dev server serves it. */
const isEngineScript = (url: URL) => /\/engine\.worker[^/]*$/.test(url.pathname);

function defaultEngineWorker(): Worker {
  return new Worker(new URL('../engine/worker/engine.worker.ts', import.meta.url), {
    type: 'module',
    name: 'obscura-engine',
  });
}

/**
 * Owns the engine worker: starts it on first use, runs calls one at a time in
 * order, cancels a call when its AbortSignal fires (the worker checks between
 * stages, so a loaded model survives an abort), and stops the worker when idle.
 */
export class EngineBridge {
  private worker: Worker | undefined;
  private remote: Remote<EngineApi> | undefined;
  private ready: Promise<EngineStatus> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private nextCallId = 1;
  private readonly options: EngineOptions;
  private readonly idleStopMs: number;
  private readonly onLoadProgress: ((progress: LoadProgress) => void) | undefined;
  private readonly release: ReleaseBridge | undefined;
  private readonly createWorker: () => Worker;
  /** The production entry runs (its script is known by name: isEngineScript). */
  private readonly ownEntry: boolean;
  private modelPreloaded = false;
  /** Settles when the started worker's script has been received (script-received.ts). */
  private scriptArrived: Promise<void> | undefined;

  constructor(options: EngineBridgeOptions = {}) {
    const { idleStopMs, onLoadProgress, release, createWorker, ...engine } = options;
    this.idleStopMs = idleStopMs ?? 5 * 60_000;
    this.onLoadProgress = onLoadProgress;
    this.release = release;
    this.createWorker = createWorker ?? defaultEngineWorker;
    this.ownEntry = createWorker === undefined;
    this.options = { modelBaseUrl: new URL(import.meta.env.BASE_URL, location.href).href, ...engine };
  }

  /** Starts the worker and loads the model (idempotent); resolves to the backend and model in use. */
  start(): Promise<EngineStatus> {
    if (!this.ready) {
      const worker = this.createWorker();
      this.worker = worker;
      this.scriptArrived = scriptReceived(worker, this.ownEntry ? isEngineScript : undefined);
      const remote = wrap<EngineApi>(this.worker);
      this.remote = remote;
      // The channel to the release worker and the model's load go out together: the engine takes its end of
      // the channel first (messages keep their order), and nothing it loads waits for the release worker.
      const joined = this.connect(remote);
      const init = remote.init(this.options, this.onLoadProgress ? proxy(this.onLoadProgress) : undefined);
      this.ready = Promise.all([joined, init])
        .then(([, status]) => status)
        .catch((err: unknown) => {
          this.stop();
          throw err;
        });
      // A page that loads the model and is then left alone also lets the worker go.
      void this.ready.then(
        () => this.armIdleStop(),
        () => undefined,
      );
    }
    return this.ready;
  }

  /**
   * Asks the browser for the files this engine loads, ahead of its worker (preload hints): the model's, and the
   * WASM build it will run (wasm-build.ts chooses it for the worker too) where WASM runs whatever the other
   * backends are (asked for by name, or `auto` when calibration may run, since calibration times WASM first).
   * On a slow line they download while the worker's script is evaluated, and the worker's own fetches find them
   * in the HTTP cache. They are asked for once the worker's script has been received (script-received.ts; not to
   * share the line with it) and `after` has settled (a page passes its first paint). Once a bridge, for an engine
   * started; a model the options do not name correctly is left to the worker, whose init says what is wrong.
   */
  async preloadModel(after: Promise<unknown> = Promise.resolve()): Promise<void> {
    const arrived = this.scriptArrived;
    if (this.modelPreloaded || !arrived || typeof document === 'undefined') return;
    this.modelPreloaded = true;
    await Promise.all([after, arrived]);
    let urls: string[];
    try {
      const registry = new ModelRegistry();
      for (const m of this.options.models ?? []) registry.register(m);
      const config = registry.get(this.options.modelId ?? DEFAULT_MODEL_ID);
      urls = modelFileUrls(config, this.options.layer ?? config.defaultLayer, this.options.modelBaseUrl);
    } catch {
      return;
    }
    const request = this.options.backend ?? 'auto';
    const wasm =
      request === 'wasm' || (request === 'auto' && this.options.calibrate !== 'never') ? wasmBuild() : undefined;
    if (wasm) urls.push(new URL(wasm.url, location.href).href);
    for (const href of urls) {
      const link = document.createElement('link');
      Object.assign(link, { rel: 'preload', as: 'fetch', crossOrigin: 'anonymous', href });
      document.head.append(link);
    }
  }

  /** Joins the engine to the release worker with a fresh channel (a restarted engine gets a new one). */
  private async connect(remote: Remote<EngineApi>): Promise<void> {
    if (!this.release) return;
    const channel = new MessageChannel();
    // A vector the engine posts before the release worker took its end waits in the channel.
    const engineEnd = remote.connectRelease(transfer(channel.port1, [channel.port1]));
    await Promise.all([engineEnd, this.release.acceptVectors(channel.port2)]);
  }

  /** Features of one image (file, blob, bitmap or ImageData). Bitmaps are transferred, not copied. */
  extract(input: ImageInput, options: { signal?: AbortSignal; name?: string } = {}): Promise<Extraction> {
    return this.call(options.signal, (remote, id) => remote.extract(id, transferable(input), options.name));
  }

  /** Features of several images; one bad image gives an error item and the rest go on. */
  extractBatch(inputs: ImageInput[], options: { signal?: AbortSignal; names?: string[] } = {}): Promise<BatchItem[]> {
    return this.call(options.signal, (remote, id) =>
      remote.extractBatch(id, transfer(inputs, inputs.filter(isBitmap)), options.names),
    );
  }

  /**
   * Features of several images in one call, each handed to `onItem` once ready (the worker sends an item after a
   * quiet spell at once, those close behind it together a few times a second): the worker decodes the next image
   * while the network runs on this one. One bad image gives an error item and the rest go on; an abort stops it
   * between images (the promise rejects with AbortError).
   */
  extractEach(
    inputs: ImageInput[],
    options: { signal?: AbortSignal; names?: string[]; onItem: (index: number, item: BatchItem) => void },
  ): Promise<void> {
    return this.call(options.signal, (remote, id) =>
      remote.extractEach(
        id,
        transfer(inputs, inputs.filter(isBitmap)),
        options.names,
        proxy((items: readonly IndexedItem[]) => {
          // One item's listener failing does not keep the items sent with it from theirs.
          for (const [index, item] of items) {
            try {
              options.onItem(index, item);
            } catch {
              // as when each item came alone: the worker ignored a listener's failure
            }
          }
        }),
      ),
    );
  }

  /** Per-frame and pooled features of video frames. */
  extractFrames(frames: ImageBitmap[], options: { signal?: AbortSignal } = {}): Promise<VideoExtraction> {
    return this.call(options.signal, (remote, id) => remote.extractFrames(id, transfer(frames, frames)));
  }

  async status(): Promise<EngineStatus | undefined> {
    return this.ready ? this.ready : undefined;
  }

  /** The worker's remote API, for diagnostics and benchmarks; starts the worker. */
  async engine(): Promise<Remote<EngineApi>> {
    await this.start();
    return this.remote!;
  }

  /** Terminates the worker now; pending calls reject. */
  stop(): void {
    clearTimeout(this.idleTimer);
    this.worker?.terminate();
    this.worker = undefined;
    this.remote = undefined;
    this.ready = undefined;
  }

  private armIdleStop(): void {
    clearTimeout(this.idleTimer);
    if (this.pending === 0 && this.worker) this.idleTimer = setTimeout(() => this.stop(), this.idleStopMs);
  }

  private call<T>(
    signal: AbortSignal | undefined,
    run: (remote: Remote<EngineApi>, id: number) => Promise<T>,
  ): Promise<T> {
    const id = this.nextCallId++;
    this.pending++;
    clearTimeout(this.idleTimer);
    const result = this.queue.then(async () => {
      throwIfAborted(signal);
      // The call goes to the worker while its model still loads: the worker decodes the image meanwhile and
      // runs it once the model is ready. Should the load fail, the worker is stopped and the call fails with it.
      const ready = this.start();
      const remote = this.remote!;
      const onAbort = () => void remote.cancel(id);
      signal?.addEventListener('abort', onAbort);
      try {
        return await Promise.race([run(remote, id), ready.then(() => new Promise<never>(() => undefined))]);
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    });
    this.queue = result
      .catch(() => undefined)
      .finally(() => {
        --this.pending;
        this.armIdleStop();
      });
    return result;
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ObscuraError('AbortError', 'the extraction was cancelled before it started');
}

function isBitmap(x: unknown): x is ImageBitmap {
  return typeof ImageBitmap !== 'undefined' && x instanceof ImageBitmap;
}

function transferable(input: ImageInput): ImageInput {
  return isBitmap(input) ? transfer(input, [input]) : input;
}
