/**
 * The tfjs kernels the default model runs: its cut and the full network at each candidate layer, with
 * the preprocessing around them (resize, crop, normalise, stack, pool). Found by profiling those runs
 * (tests/unit/engine/model-kernels.test.ts repeats it and fails when a kernel is missing here).
 * The engine registers these alone for WASM, the backend a first visit runs on; any other model
 * gets every kernel of its backend before it is built (src/engine/backends/backend-kernels.ts).
 */
export const MODEL_KERNELS = [
  'Add',
  'Cast',
  'ClipByValue',
  'FusedConv2D',
  'FusedDepthwiseConv2D',
  'Identity',
  'Mean',
  'Multiply',
  'Pack',
  'PadV2',
  'Relu',
  'Reshape',
  'ResizeBilinear',
  'Slice',
] as const;

export type ModelKernel = (typeof MODEL_KERNELS)[number];
