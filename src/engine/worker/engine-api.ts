/**
 * The worker's contract, as types only: the worker's object satisfies it and the
 * main thread imports it with `import type`, so no worker code enters the page bundle.
 */
import type { BackendName, BackendProbe, BackendRequest, Timings } from '../backends/backend-choice';
import type { ModelConfig, ModelRef } from '../model/model-config';

export interface EngineOptions {
  /** `auto` (default) picks the fastest working backend; a named backend is used or refused, never swapped silently. */
  backend?: BackendRequest;
  modelId?: string;
  /** Feature layer; default: the model's `defaultLayer`. */
  layer?: string;
  /** Extra models to register before loading (any tfjs layers or graph model by URL). */
  models?: ModelConfig[];
  /** Absolute URL against which relative model URLs resolve (the app's base URL). */
  modelBaseUrl: string;
  /**
   * `auto`: time the candidates when a GPU competes with WASM; `always`: time every
   * available backend, software ones too; `never`: take the first candidate.
   */
  calibrate?: 'auto' | 'always' | 'never';
  /** Reuse a choice cached in IndexedDB from an earlier calibration (default true). */
  useCachedChoice?: boolean;
}

export interface EngineStatus {
  readonly backend: BackendName;
  /** For every backend: why it runs, or why it was not chosen. */
  readonly reasons: Readonly<Record<BackendName, string>>;
  readonly probes: readonly BackendProbe[];
  /** ms/image measured by calibration (empty when none ran). */
  readonly timings: Timings;
  readonly choiceFromCache: boolean;
  readonly model: ModelRef;
  /** Time to fetch the weights (0 when they were already in memory) and to build and warm the network. */
  readonly modelFetchMs: number;
  readonly modelBuildMs: number;
  /** Backends that failed while running and were left behind, with the error. */
  readonly failures: readonly { backend: BackendName; message: string }[];
}

export interface Extraction {
  /** Clean feature vector: never leaves the device un-noised. */
  readonly vector: Float32Array;
  readonly model: ModelRef;
  readonly backend: BackendName;
  /** SHA-256 (hex) of the decoded pixels at model input size: the memo key of a release. */
  readonly contentHash: string;
  readonly sourceWidth: number;
  readonly sourceHeight: number;
  readonly timings: { readonly decodeMs: number; readonly inferMs: number };
}

/** One item of a batch: its extraction, or the error it met (the batch goes on). */
export type BatchItem =
  | { readonly ok: true; readonly value: Extraction }
  | { readonly ok: false; readonly error: { name: string; message: string } };

export interface VideoExtraction {
  readonly frames: readonly Extraction[];
  /** Mean of the frames' vectors. */
  readonly pooled: Float32Array;
  readonly model: ModelRef;
}

/** A batch item with its input's index. */
export type IndexedItem = readonly [index: number, item: BatchItem];

/** One image source the worker accepts: an encoded file, or pixels the page already has. */
export type ImageInput = Blob | ImageBitmap | ImageData;

/** Loading progress, for a progress bar on first use. `fraction` is 0..1 within the phase. */
export interface LoadProgress {
  readonly phase: 'fetch' | 'build' | 'calibrate';
  readonly fraction: number;
}

export interface EngineApi {
  /** Loads the model and picks the backend; `onProgress` (a comlink proxy) hears how far it got. */
  init(options: EngineOptions, onProgress?: (progress: LoadProgress) => void): Promise<EngineStatus>;
  status(): EngineStatus | undefined;
  /** `callId` names the call for `cancel`. */
  extract(callId: number, input: ImageInput, name?: string): Promise<Extraction>;
  extractBatch(callId: number, inputs: ImageInput[], names?: string[]): Promise<BatchItem[]>;
  /**
   * Features of several images, handed to `onItems` (a comlink proxy) as they are ready, while the next image
   * decodes: an item after a quiet spell at once, those close behind it together a few times a second, in order.
   * One bad image gives an error item and the rest go on. Resolves once all are handed over.
   */
  extractEach(
    callId: number,
    inputs: ImageInput[],
    names: string[] | undefined,
    onItems: (items: readonly IndexedItem[]) => void | Promise<void>,
  ): Promise<void>;
  extractFrames(callId: number, frames: ImageBitmap[]): Promise<VideoExtraction>;
  /** Stops the named call at its next stage boundary; it rejects with AbortError. */
  cancel(callId: number): void;
  /**
   * From now on, each image's clean vector is also posted on this port (to the release
   * worker), once, keyed by its content hash; a later port replaces this one.
   */
  connectRelease(port: MessagePort): void;
}
