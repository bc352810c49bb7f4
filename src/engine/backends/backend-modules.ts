import { getKernel, registerKernel } from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm/dist/base';
import type { BackendName } from './backend-choice';
import { WASM_INNER_KERNELS, WASM_MODEL_KERNELS } from './wasm-kernels';

// WASM, the backend most browsers end on, comes with the engine and with the default model's kernels
// alone. The others are separate chunks, fetched only when the engine tries them (a GPU, or a browser
// without WebAssembly), and bring all their kernels.
for (const config of [...Object.values(WASM_MODEL_KERNELS), ...WASM_INNER_KERNELS]) {
  if (!getKernel(config.kernelName, config.backendName)) registerKernel(config);
}

/** Registers backend `name` with tfjs, fetching its code first when it is not part of the engine. */
export async function loadBackend(name: BackendName): Promise<void> {
  switch (name) {
    case 'wasm':
      return;
    case 'webgl':
      await import('@tensorflow/tfjs-backend-webgl');
      return;
    case 'webgpu':
      await import('@tensorflow/tfjs-backend-webgpu');
      return;
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      return;
  }
}

let allWasmKernels: Promise<unknown> | undefined;

/**
 * Registers every kernel of backend `name`, for a model other than the default one (its ops are not
 * known in advance). Only WASM starts with fewer; the others come whole. The caller activates the
 * backend again afterwards, which sets the new kernels up (tfjs does so in setBackend).
 */
export async function loadAllKernels(name: BackendName): Promise<void> {
  if (name !== 'wasm') return;
  allWasmKernels ??= import('@tensorflow/tfjs-backend-wasm/dist/register_all_kernels');
  await allWasmKernels;
}
