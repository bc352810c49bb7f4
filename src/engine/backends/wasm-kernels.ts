import type { KernelConfig } from '@tensorflow/tfjs-core';
import { addConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Add';
import { castConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Cast';
import { clipByValueConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/ClipByValue';
import { fusedConv2DConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/FusedConv2D';
import { fusedDepthwiseConv2DConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/FusedDepthwiseConv2D';
import { identityConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Identity';
import { meanConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Mean';
import { multiplyConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Multiply';
import { packConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Pack';
import { padV2Config } from '@tensorflow/tfjs-backend-wasm/dist/kernels/PadV2';
import { reluConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Relu';
import { reshapeConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Reshape';
import { resizeBilinearConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/ResizeBilinear';
import { sliceConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Slice';
import { transposeConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Transpose';
import type { ModelKernel } from './model-kernels';

/**
 * tfjs-wasm's implementation of each kernel of the default model, imported one by one as tfjs's
 * custom bundles do, so the engine worker carries these and not the backend's 150 others.
 */
export const WASM_MODEL_KERNELS: Readonly<Record<ModelKernel, KernelConfig>> = {
  Add: addConfig,
  Cast: castConfig,
  ClipByValue: clipByValueConfig,
  FusedConv2D: fusedConv2DConfig,
  FusedDepthwiseConv2D: fusedDepthwiseConv2DConfig,
  Identity: identityConfig,
  Mean: meanConfig,
  Multiply: multiplyConfig,
  Pack: packConfig,
  PadV2: padV2Config,
  Relu: reluConfig,
  Reshape: reshapeConfig,
  ResizeBilinear: resizeBilinearConfig,
  Slice: sliceConfig,
};

/**
 * Kernels that tfjs-wasm's kernels above call directly rather than through tfjs (Mean transposes its
 * input): registered too, because a WASM kernel binds its WebAssembly function when the backend sets
 * its registered kernels up, and an unregistered one is never bound.
 */
export const WASM_INNER_KERNELS: readonly KernelConfig[] = [transposeConfig];
