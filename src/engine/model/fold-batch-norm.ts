import * as tf from '@tensorflow/tfjs-core';
import { layersTo, type Config, type KerasLayer } from './keras-topology';
import { modelWeights, type Weight } from './model-weights';

/** A layers model's forward pass to one layer, with each batch normalisation folded into the convolution before it. */
export interface FoldedNetwork {
  /** Channels of the layer's output. */
  readonly dims: number;
  /** The layer's output for a batch, as tfjs-layers' `predict` gives it (to rounding). Call inside tf.tidy. */
  run(batch: tf.Tensor4D): tf.Tensor;
  /** Frees the folded weights. */
  dispose(): void;
}

/** One layer's (or one fused run of layers') output from the outputs of the layers before it. */
type Step = (input: (name: string) => tf.Tensor) => tf.Tensor;
/** Makes a step on the current backend, handing each tensor it makes to `own`. */
type MakeStep = (own: (t: tf.Tensor) => void) => Step;

/** A folded network with its weights in arrays: all of its build that needs no backend. */
export interface FoldedPlan {
  readonly dims: number;
  readonly input: string;
  readonly steps: readonly { readonly name: string; readonly make: MakeStep }[];
}

/** Plans made, by model files and layer: the engine makes one while the backend starts, and builds from it. */
const plans = new WeakMap<tf.io.ModelArtifacts, Map<string, FoldedPlan | undefined>>();

/**
 * Inference to `outputLayer` with batch normalisation folded into the convolution it follows: the frozen
 * statistics turn `γ·(conv(x) − μ)/√(σ² + ε) + β` into `conv'(x) + b'` with the kernel's output channels scaled by
 * `s = γ/√(σ² + ε)` and `b' = β + (b − μ)·s` (Jacob et al. 2018, "Quantization and Training of Neural Networks
 * for Efficient Integer-Arithmetic-Only Inference", §3.2), and a ReLU after it fused into the same kernel.
 * MobileNetV2 normalises after every convolution, and run layer by layer its normalisations cost as much as
 * its convolutions; folded, a batch costs about half.
 *
 * Built from the model's files (its Keras topology and weights) without tfjs-layers: no layer objects, no
 * variables, and each kernel read from the weight file and scaled in one pass, so a first visit goes from the
 * model's arrival to its first features with the least work. Undefined for a model with a layer or setting
 * this does not reproduce exactly (the caller runs the model with tfjs-layers then).
 */
export function foldBatchNorm(artifacts: tf.io.ModelArtifacts, outputLayer: string): FoldedNetwork | undefined {
  const plan = planFoldedNetwork(artifacts, outputLayer);
  if (!plan) return undefined;
  const owned: tf.Tensor[] = [];
  let steps: { name: string; step: Step }[];
  try {
    steps = plan.steps.map(({ name, make }) => ({ name, step: make((t) => owned.push(t)) }));
  } catch (err) {
    disposeAll(owned);
    throw err;
  }
  const { input, dims } = plan;
  return {
    dims,
    run: (batch) => {
      const values = new Map<string, tf.Tensor>([[input, batch]]);
      const get = (name: string) => values.get(name)!;
      for (const { name, step } of steps) values.set(name, step(get));
      return values.get(outputLayer)!;
    },
    dispose: () => disposeAll(owned),
  };
}

/**
 * Reads the weights `outputLayer` needs from the model's files and folds them, once for these files: no
 * backend is needed for it, so the engine calls it while its backend starts. Undefined where foldBatchNorm is.
 */
export function planFoldedNetwork(artifacts: tf.io.ModelArtifacts, outputLayer: string): FoldedPlan | undefined {
  let byLayer = plans.get(artifacts);
  if (!byLayer) plans.set(artifacts, (byLayer = new Map()));
  if (!byLayer.has(outputLayer)) byLayer.set(outputLayer, plan(artifacts, outputLayer));
  return byLayer.get(outputLayer);
}

function plan(artifacts: tf.io.ModelArtifacts, outputLayer: string): FoldedPlan | undefined {
  const layers = layersTo(artifacts.modelTopology, outputLayer);
  if (!layers) return undefined;
  const kept = new Set(layers.map((l) => l.name));
  // Keras names a weight "layer/variable".
  const weights = modelWeights(artifacts, (name) => kept.has(name.split('/')[0]!));
  if (!weights) return undefined;
  const consumers = new Map<string, KerasLayer[]>();
  for (const l of layers) for (const s of l.sources) consumers.set(s, [...(consumers.get(s) ?? []), l]);
  /** The one layer reading `l`'s output, if one alone does and it is of `className`. */
  const soleNext = (l: KerasLayer, className: string): KerasLayer | undefined => {
    const next = consumers.get(l.name) ?? [];
    return next.length === 1 && next[0]!.class_name === className ? next[0] : undefined;
  };

  const steps: { name: string; make: MakeStep }[] = [];
  const channels = new Map<string, number>();
  const folded = new Set<string>();
  let inputName: string | undefined;
  for (const layer of layers) {
    if (folded.has(layer.name)) continue;
    const { config, class_name: className } = layer;
    const [source = '', ...others] = layer.sources;
    const inChannels = channels.get(source) ?? 0;
    let outName = layer.name;
    if (className === 'InputLayer' && inputName === undefined) {
      inputName = layer.name;
      const shape = config['batch_input_shape'] as unknown[] | undefined;
      channels.set(layer.name, typeof shape?.at(-1) === 'number' ? (shape.at(-1) as number) : 0);
      continue;
    } else if (className === 'Conv2D' || className === 'DepthwiseConv2D') {
      const bn = soleNext(layer, 'BatchNormalization');
      const conv = foldedConvolution(layer, weights, bn);
      if (!conv) return undefined;
      let activation: 'linear' | 'relu' | 'relu6' = 'linear';
      if (conv.bn) {
        folded.add(conv.bn.name);
        outName = conv.bn.name;
        const relu = soleNext(conv.bn, 'ReLU');
        const reluActivation = relu && fusedReLU(relu.config);
        if (relu && reluActivation) {
          folded.add(relu.name);
          outName = relu.name;
          activation = reluActivation;
        }
      }
      const strides = config['strides'] as [number, number];
      const pad = config['padding'] as 'same' | 'valid';
      // The two fused kernels take the same arguments: chosen once here, not on every image.
      const fused = className === 'Conv2D' ? tf.fused.conv2d : tf.fused.depthwiseConv2d;
      steps.push({
        name: outName,
        make: (own) => {
          const filter = tf.tensor4d(conv.filter, conv.shape);
          own(filter);
          const bias = tf.tensor1d(conv.bias);
          own(bias);
          return (input) => fused({ x: input(source) as tf.Tensor4D, filter, strides, pad, bias, activation });
        },
      });
      channels.set(outName, conv.channels);
      continue;
    } else if (className === 'ZeroPadding2D' && channelsLast(config)) {
      const padding = zeroPadding(config['padding']);
      if (!padding) return undefined;
      const [rows, cols] = padding;
      steps.push({ name: layer.name, make: () => (input) => tf.pad(input(source), [[0, 0], rows, cols, [0, 0]]) });
    } else if (className === 'ReLU' && fusedReLU(config)) {
      const max = config['max_value'] as number | null | undefined;
      steps.push({
        name: layer.name,
        make: () => (input) => (max == null ? tf.relu(input(source)) : tf.clipByValue(input(source), 0, max)),
      });
    } else if (className === 'Add' && others.length > 0) {
      steps.push({
        name: layer.name,
        make: () => (input) => others.reduce((sum, o) => tf.add(sum, input(o)), input(source)),
      });
    } else {
      return undefined;
    }
    channels.set(layer.name, inChannels);
  }
  const dims = channels.get(outputLayer) ?? 0;
  if (!inputName || steps.at(-1)?.name !== outputLayer || dims <= 0) return undefined;
  return { dims, input: inputName, steps };
}

function disposeAll(tensors: readonly tf.Tensor[]): undefined {
  for (const t of tensors) t.dispose();
  return undefined;
}

function channelsLast(config: Config): boolean {
  return (config['data_format'] ?? 'channels_last') === 'channels_last';
}

/** Keras' ZeroPadding2D padding (n, [rows, cols] or [[top, bottom], [left, right]]) as the latter. */
function zeroPadding(padding: unknown): [[number, number], [number, number]] | undefined {
  const pair = (p: unknown): [number, number] | undefined =>
    typeof p === 'number'
      ? [p, p]
      : Array.isArray(p) && p.length === 2 && p.every(Number.isInteger)
        ? [p[0], p[1]]
        : undefined;
  if (typeof padding === 'number') return [pair(padding)!, pair(padding)!];
  if (!Array.isArray(padding) || padding.length !== 2) return undefined;
  const [rows, cols] = [pair(padding[0]), pair(padding[1])];
  return rows && cols ? [rows, cols] : undefined;
}

/** The fused activation a ReLU layer is, if it is plain (no leak, no threshold) and its cap is none or 6. */
function fusedReLU(config: Config): 'relu' | 'relu6' | undefined {
  if ((config['negative_slope'] ?? 0) !== 0 || (config['threshold'] ?? 0) !== 0) return undefined;
  const max = config['max_value'];
  if (max == null) return 'relu';
  return max === 6 ? 'relu6' : undefined;
}

/**
 * A convolution's filter and bias with `bn` (the batch normalisation reading its output alone, if any) folded
 * in, computed in double precision. Undefined for a setting the fused kernels do not take the same way.
 */
function foldedConvolution(
  layer: KerasLayer,
  weights: ReadonlyMap<string, Weight>,
  bn: KerasLayer | undefined,
):
  | {
      filter: Float32Array;
      shape: [number, number, number, number];
      bias: Float32Array;
      bn: KerasLayer | undefined;
      channels: number;
    }
  | undefined {
  const { config, name } = layer;
  const depthwise = layer.class_name === 'DepthwiseConv2D';
  const dilation = config['dilation_rate'] ?? 1;
  const strides = config['strides'];
  if (
    !channelsLast(config) ||
    config['activation'] !== 'linear' ||
    (Array.isArray(dilation) ? dilation.some((d) => d !== 1) : dilation !== 1) ||
    (depthwise && config['depth_multiplier'] !== 1) ||
    (config['groups'] ?? 1) !== 1 ||
    !Array.isArray(strides) ||
    strides.length !== 2 ||
    (config['padding'] !== 'same' && config['padding'] !== 'valid')
  )
    return undefined;
  const kernel = weights.get(`${name}/${depthwise ? 'depthwise_kernel' : 'kernel'}`);
  const convBias = config['use_bias'] === true ? weights.get(`${name}/bias`) : undefined;
  if (!kernel || kernel.shape.length !== 4 || (config['use_bias'] === true && !convBias)) return undefined;
  // Output channels are the kernel's last axis, or for a depthwise kernel [h, w, channels, 1] its third.
  const channels = kernel.shape[depthwise ? 2 : 3]!;
  const scale = new Float64Array(channels).fill(1);
  const shift = convBias ? Float64Array.from(convBias.values) : new Float64Array(channels);
  if (shift.length !== channels) return undefined;
  let foldedBn: KerasLayer | undefined;
  const bnConfig = bn?.config;
  if (
    bn &&
    bnConfig &&
    bnConfig['center'] === true &&
    bnConfig['scale'] === true &&
    [-1, 3].includes(bnConfig['axis'] as number)
  ) {
    const [gamma, beta, mean, variance] = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map(
      (w) => weights.get(`${bn.name}/${w}`)?.values,
    );
    const epsilon = bnConfig['epsilon'] as number;
    if ([gamma, beta, mean, variance].some((w) => w?.length !== channels) || typeof epsilon !== 'number')
      return undefined;
    for (let c = 0; c < channels; c++) {
      scale[c] = gamma![c]! / Math.sqrt(variance![c]! + epsilon);
      shift[c] = beta![c]! + (shift[c]! - mean![c]!) * scale[c]!;
    }
    foldedBn = bn;
  }
  const values = kernel.values;
  // A plain loop: `from` with a map function calls it once for each of half a million weights, on the path from
  // the model's arrival to the first features.
  const filter = new Float32Array(values.length);
  for (let i = 0, c = 0; i < values.length; i++, c = c + 1 === channels ? 0 : c + 1) filter[i] = values[i]! * scale[c]!;
  const shape = kernel.shape as [number, number, number, number];
  return { filter, shape, bias: Float32Array.from(shift), bn: foldedBn, channels };
}
