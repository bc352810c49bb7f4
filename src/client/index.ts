/** The page side's public entry: the bridges that own the two workers, and the capture helpers. */
export { EngineBridge, type EngineBridgeOptions } from './engine-bridge';
export { ReleaseBridge, type ReleaseBridgeOptions, type ReleaseConnection } from './release-bridge';
export { startSharedReleaseWorker, type SharedWorkerFactory } from './shared-release-worker';
export { listCameras, openCamera, snapshot, stopStream } from './camera';
export { sampleVideoFrames, type VideoFrameOptions } from './video-frames';
export { acceptedPictureSize, type PictureSize } from './picture-size';
export type {
  EngineOptions,
  EngineStatus,
  Extraction,
  BatchItem,
  VideoExtraction,
  ImageInput,
  LoadProgress,
} from '../engine/worker/engine-api';
export type { BackendName, BackendRequest } from '../engine/backends/backend-choice';
export type { ModelConfig } from '../engine/model/model-config';
export type { ModelRef } from '../model-ref';
