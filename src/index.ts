/**
 * Obscura's library entry (browser, ESM): on-device image features in a Web Worker.
 *
 * ```ts
 * import { createExtractor } from 'obscura';
 * const extractor = createExtractor({ backend: 'auto' });
 * const { vector, backend } = await extractor.extract(file);
 * ```
 */
import { EngineBridge, type EngineBridgeOptions } from './client/engine-bridge';

/** Starts nothing until the first call; the worker loads the model then and stops after an idle period. */
export function createExtractor(options: EngineBridgeOptions = {}): EngineBridge {
  return new EngineBridge(options);
}

export { EngineBridge, type EngineBridgeOptions } from './client/engine-bridge';
export { listCameras, openCamera, snapshot, stopStream } from './client/camera';
export { sampleVideoFrames, type VideoFrameOptions } from './client/video-frames';
export type {
  EngineOptions,
  EngineStatus,
  Extraction,
  BatchItem,
  VideoExtraction,
  ImageInput,
} from './engine/worker/engine-api';
export type { BackendName, BackendRequest } from './engine/backends/backend-choice';
export type { ModelConfig, ModelRef } from './engine/model/model-config';
export { MOBILENET_V2 } from './engine/model/registry';
export { ERROR_NAMES, type ObscuraErrorName, isErrorNamed } from './errors';
export { MAX_MEGAPIXELS, MIN_SIDE, MAX_SIDE } from './engine/input-limits';
