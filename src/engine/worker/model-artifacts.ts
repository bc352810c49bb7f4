import * as tf from '@tensorflow/tfjs';
import { ObscuraError } from '../../errors';
import type { ModelConfig } from '../model/model-config';

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
    artifacts = await tf.io.http(url, onProgress ? { onProgress } : {}).load!();
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
