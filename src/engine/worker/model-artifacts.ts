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
    const fetchFunc = withEarlyWeights(
      url,
      config.weights ?? [],
      import.meta.env.PROD ? fetchKeepingModelFiles() : fetch,
    );
    artifacts = await tf.io.http(url, { ...(onProgress ? { onProgress } : {}), fetchFunc }).load!();
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

/**
 * A fetch that asks for the weight files named in advance at once, beside model.json, and hands each
 * response over when tfjs asks for that file after reading model.json: one round trip less on a slow
 * line. A file tfjs never asks for was named wrongly (a test compares the names with the manifest).
 */
function withEarlyWeights(modelUrl: string, weights: readonly string[], base: typeof fetch): typeof fetch {
  const early = new Map<string, Promise<Response>>();
  for (const file of weights) {
    const href = new URL(file, modelUrl).href;
    const response = base(href);
    // A failure is tfjs's to report, when it asks for the file.
    response.catch(() => undefined);
    early.set(href, response);
  }
  return (input, init) => {
    const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const response = early.get(href);
    if (!response) return base(input, init);
    early.delete(href);
    return response;
  };
}

/** An IOHandler serving artifacts already in memory. */
export function memoryHandler(artifacts: tf.io.ModelArtifacts): tf.io.IOHandler {
  return { load: async () => artifacts };
}
