import * as tf from '@tensorflow/tfjs-core';
import { ObscuraError } from '../../errors';
import type { ModelConfig } from '../model/model-config';
import { fetchKeepingModelFiles } from './model-cache';

/**
 * Fetches a model's files once and keeps them in memory, so switching backend
 * (calibration, fallback) rebuilds the network without fetching again.
 */
export async function fetchModelArtifacts(
  config: ModelConfig,
  baseUrl: string,
  onProgress?: (fraction: number) => void,
): Promise<tf.io.ModelArtifacts> {
  const url = new URL(config.url, baseUrl).href;
  let artifacts: tf.io.ModelArtifacts;
  try {
    // The production app keeps the files it fetched for offline use (src/engine/worker/model-cache.ts).
    const fetchFunc = import.meta.env.PROD ? fetchKeepingModelFiles() : undefined;
    artifacts = await tf.io.http(url, { ...(onProgress ? { onProgress } : {}), ...(fetchFunc ? { fetchFunc } : {}) })
      .load!();
  } catch (err) {
    throw new ObscuraError(
      'ModelLoadError',
      `could not fetch model "${config.id}" from ${url}: ${(err as Error).message}`,
      { modelId: config.id, url },
    );
  }
  if (!artifacts.modelTopology || !artifacts.weightData || !artifacts.weightSpecs) {
    throw new ObscuraError('ModelLoadError', `model "${config.id}" at ${url} has no topology or weights`, {
      modelId: config.id,
      url,
    });
  }
  return artifacts;
}

/** An IOHandler serving artifacts already in memory. */
export function memoryHandler(artifacts: tf.io.ModelArtifacts): tf.io.IOHandler {
  return { load: async () => artifacts };
}
