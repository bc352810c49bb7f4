/**
 * Obscura's library entry (browser, ESM): on-device image features in a Web Worker,
 * and, separately, the release path that privatizes, charges and sends them.
 *
 * ```ts
 * import { createExtractor, createRelease } from 'obscura';
 * const release = createRelease();
 * const extractor = createExtractor({ backend: 'auto', release });
 * const { vector, contentHash } = await extractor.extract(file);
 * const { report, cosine } = await release.release(contentHash, {
 *   mechanism: { name: 'privunit', epsilon: 1 },
 *   destination: 'https://collector.example/reports',
 * });
 * // or a category: the codebook labels the image on the device, k-RR randomizes the label
 * const { assigned, report: r } = await release.release(contentHash, {
 *   mechanism: { name: 'krr', epsilon: 2 },
 *   codebook: '/codebooks/fashion-10.json',
 *   destination: 'https://collector.example/reports',
 * });
 * ```
 *
 * A release to a collector is first checked against the task the collector declares for its
 * scope (`GET /tasks/SCOPE`, cached on the device): a scope it does not declare is refused with
 * UndeclaredScopeError, other parameters with TaskMismatchError, and nothing is charged.
 * `release.declaredTasks(destination)` lists what the collector accepts.
 *
 * Federated codebooks: labels are passed with the images, and stay on the device.
 *
 * ```ts
 * const task = { collector: 'https://collector.example', task: 'parcels' };
 * const { contentHash: h } = await extractor.extract(photo);
 * await release.addTrainExample(h, task, 'dented'); // UnknownLabelError outside the task's labels
 * await release.createScope({ name: 'parcels', totalEpsilon: 8, window: { kind: 'lifetime' } });
 * const joined = await release.joinTrainingRound(task); // charged, then its two shares leave
 * await release.refreshTrainingRounds(task); // each row learns whether its round was released
 * ```
 *
 * An extractor alone never opens the privacy ledger; a release needs no model.
 */
import { EngineBridge, type EngineBridgeOptions } from './client/engine-bridge';
import { ReleaseBridge, type ReleaseBridgeOptions } from './client/release-bridge';

/** Starts nothing until the first call; the worker loads the model then and stops after an idle period. */
export function createExtractor(options: EngineBridgeOptions = {}): EngineBridge {
  return new EngineBridge(options);
}

/**
 * The release path in its own worker (no tfjs, no model): budget, ledger, outbox and
 * sender. It starts on the first call and at once sends reports an earlier page left queued.
 */
export function createRelease(options: ReleaseBridgeOptions = {}): ReleaseBridge {
  return new ReleaseBridge(options);
}

export { EngineBridge, type EngineBridgeOptions } from './client/engine-bridge';
export { ReleaseBridge, type ReleaseBridgeOptions } from './client/release-bridge';
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
export type {
  BudgetStatus,
  DeliveryState,
  FlushResult,
  LedgerEntry,
  LedgerPage,
  LedgerQuery,
  ReleaseOptions,
  ReleaseOutcome,
  ScopeConfig,
  VectorMechanismParams,
  VectorReleaseOptions,
  VectorReleaseOutcome,
  CategoryMechanism,
  CategoryReleaseOptions,
  CategoryReleaseOutcome,
  AssignedLabel,
  Codebook,
  ReleaseQuote,
  Guarantee,
  AggregateCommitment,
  DeclaredTasks,
  Task,
  TrainExampleSummary,
  TrainingOutcome,
  TrainTaskRef,
  TrainTask,
} from './release/index';
export type { BackendName, BackendRequest } from './engine/backends/backend-choice';
export type { ModelConfig } from './engine/model/model-config';
export type { ModelRef } from './model-ref';
export { MOBILENET_V2 } from './engine/model/registry';
export { ERROR_NAMES, type ObscuraErrorName, isErrorNamed } from './errors';
export { MAX_MEGAPIXELS, MIN_SIDE, MAX_SIDE } from './engine/input-limits';
