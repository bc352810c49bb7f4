/**
 * The expected similarity of the settings the page starts with, calibrated in a worker of its own: on the
 * main thread it was the largest task of the page's start after its first render. Later settings (the
 * person's choices) are calibrated where they are shown, at once, as each choice needs its answer.
 */
import { wrap } from 'comlink';
import type { VectorMechanismParams } from '../release/index';
import type { SimilarityApi } from './similarity.worker';

/** E[cos] of `mechanism` at `dims` dimensions, from a worker started for this one call. */
export async function calibrateOffThread(mechanism: VectorMechanismParams, dims: number): Promise<number> {
  const worker = new Worker(new URL('./similarity.worker.ts', import.meta.url), {
    type: 'module',
    name: 'obscura-similarity',
  });
  try {
    return await wrap<SimilarityApi>(worker).expectedCosine(mechanism, dims);
  } finally {
    worker.terminate();
  }
}
