import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { ObscuraError } from '../../errors';

export type NodeBackend = 'wasm' | 'cpu';

/** Selects the tfjs backend for Node. WASM must be told where its .wasm binaries lie on disk. */
export async function initNodeBackend(backend: NodeBackend = 'wasm'): Promise<NodeBackend> {
  if (backend === 'wasm') {
    const require = createRequire(import.meta.url);
    setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
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
