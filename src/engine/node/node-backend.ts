import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { ObscuraError } from '../../errors';

export type NodeBackend = 'wasm' | 'cpu';

/**
 * Selects the tfjs backend for Node. WASM must be told where its .wasm binaries lie on disk. tfjs-core and
 * the chosen backend are all a run loads: the `@tensorflow/tfjs` bundle would add WebGL, the data API and
 * the graph-model converter to every start of the CLI.
 */
export async function initNodeBackend(backend: NodeBackend = 'wasm'): Promise<NodeBackend> {
  if (backend === 'wasm') {
    const require = createRequire(import.meta.url);
    setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
  } else {
    await import('@tensorflow/tfjs-backend-cpu');
  }
  const ok = await tf.setBackend(backend);
  if (!ok || tf.getBackend() !== backend) {
    throw new ObscuraError(
      'BackendUnavailableError',
      `tfjs backend "${backend}" could not be initialised in Node (got "${tf.getBackend()}")`,
    );
  }
  await tf.ready();
  return backend;
}
