import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

/** A layers model's forward pass with each batch normalisation folded into the convolution before it. */
export interface FoldedForward {
  /** The model's output for a batch, as `model.predict` gives it (to rounding). Call inside tf.tidy. */
  run(batch: tf.Tensor4D): tf.Tensor;
  /** Frees the folded weights (the model keeps its own). */
  dispose(): void;
}

type Layer = LayersModel['layers'][number];
type Config = Record<string, unknown>;
/** One layer's (or one fused run of layers') output from the outputs of the layers before it. */
type Step = (input: (name: string) => tf.Tensor) => tf.Tensor;

/**
 * Inference with batch normalisation folded into the convolution it follows: the frozen statistics turn
 * `γ·(conv(x) − μ)/√(σ² + ε) + β` into `conv'(x) + b'` with the kernel's output channels scaled by
 * `s = γ/√(σ² + ε)` and `b' = β + (b − μ)·s` (Jacob et al. 2018, "Quantization and Training of Neural Networks
 * for Efficient Integer-Arithmetic-Only Inference", §3.2), and a ReLU after it fused into the same kernel.
 * MobileNetV2 normalises after every convolution, and run layer by layer its normalisations cost as much as
 * its convolutions; folded, a batch costs about half. Undefined for a model with a layer or setting this does
 * not reproduce exactly (the caller runs the model itself then).
 */
export async function foldBatchNorm(model: LayersModel): Promise<FoldedForward | undefined> {
  const layers = model.layers;
  if (model.inputs.length !== 1 || model.outputs.length !== 1) return undefined;
  if (layers.some((l) => l.inboundNodes.length !== 1)) return undefined;
  const inputsOf = (l: Layer) => l.inboundNodes[0]!.inboundLayers.map((s) => s.name);
  const consumers = new Map<string, Layer[]>();
  for (const l of layers) for (const s of inputsOf(l)) consumers.set(s, [...(consumers.get(s) ?? []), l]);
  /** The one layer reading `l`'s output, if one alone does and it is of `className`. */
  const soleNext = (l: Layer, className: string): Layer | undefined => {
    const next = consumers.get(l.name) ?? [];
    return next.length === 1 && next[0]!.getClassName() === className ? next[0] : undefined;
  };

  const owned: tf.Tensor[] = [];
  const steps: { name: string; step: Step }[] = [];
  const folded = new Set<string>();
  let inputName: string | undefined;
  for (const layer of layers) {
    if (folded.has(layer.name)) continue;
    const config = layer.getConfig() as Config;
    const [source = '', ...others] = inputsOf(layer);
    const className = layer.getClassName();
    if (className === 'InputLayer') {
      inputName = layer.name;
      continue;
    }
    if (className === 'Conv2D' || className === 'DepthwiseConv2D') {
      const conv = await foldedConvolution(layer, config, soleNext(layer, 'BatchNormalization'));
      if (!conv) return disposeAll(owned);
      owned.push(conv.filter, conv.bias);
      let name = conv.bn ? conv.bn.name : layer.name;
      let activation: 'linear' | 'relu' | 'relu6' = 'linear';
      const relu = conv.bn && soleNext(conv.bn, 'ReLU');
      const reluActivation = relu && fusedReLU(relu.getConfig() as Config);
      if (conv.bn) folded.add(conv.bn.name);
      if (relu && reluActivation) {
        folded.add(relu.name);
        name = relu.name;
        activation = reluActivation;
      }
      const { filter, bias } = conv;
      const strides = config['strides'] as [number, number];
      const pad = config['padding'] as 'same' | 'valid';
      // The two fused kernels take the same arguments: chosen once here, not on every image.
      const fused = className === 'Conv2D' ? tf.fused.conv2d : tf.fused.depthwiseConv2d;
      steps.push({
        name,
        step: (input) =>
          fused({ x: input(source) as tf.Tensor4D, filter: filter as tf.Tensor4D, strides, pad, bias, activation }),
      });
    } else if (className === 'ZeroPadding2D' && config['dataFormat'] === 'channelsLast') {
      const [rows, cols] = config['padding'] as [[number, number], [number, number]];
      steps.push({ name: layer.name, step: (input) => tf.pad(input(source), [[0, 0], rows, cols, [0, 0]]) });
    } else if (className === 'ReLU' && fusedReLU(config)) {
      const max = config['maxValue'] as number | null | undefined;
      steps.push({
        name: layer.name,
        step: (input) => (max == null ? tf.relu(input(source)) : tf.clipByValue(input(source), 0, max)),
      });
    } else if (className === 'Add' && others.length > 0) {
      steps.push({
        name: layer.name,
        step: (input) => others.reduce((sum, o) => tf.add(sum, input(o)), input(source)),
      });
    } else {
      return disposeAll(owned);
    }
  }
  const outputName = model.outputs[0]!.sourceLayer.name;
  if (!inputName || steps.at(-1)?.name !== outputName) return disposeAll(owned);
  const input = inputName;
  return {
    run: (batch) => {
      const values = new Map<string, tf.Tensor>([[input, batch]]);
      const get = (name: string) => values.get(name)!;
      for (const { name, step } of steps) values.set(name, step(get));
      return values.get(outputName)!;
    },
    dispose: () => disposeAll(owned),
  };
}

function disposeAll(tensors: readonly tf.Tensor[]): undefined {
  for (const t of tensors) t.dispose();
  return undefined;
}

/** The fused activation a ReLU layer is, if it is plain (no leak, no threshold) and its cap is none or 6. */
function fusedReLU(config: Config): 'relu' | 'relu6' | undefined {
  if ((config['negativeSlope'] ?? 0) !== 0 || (config['threshold'] ?? 0) !== 0) return undefined;
  const max = config['maxValue'];
  if (max == null) return 'relu';
  return max === 6 ? 'relu6' : undefined;
}

/**
 * A convolution's filter and bias with `bn` (the batch normalisation reading its output alone, if any) folded
 * in, computed in double precision. Undefined for a setting the fused kernels do not take the same way.
 */
async function foldedConvolution(
  layer: Layer,
  config: Config,
  bn: Layer | undefined,
): Promise<{ filter: tf.Tensor; bias: tf.Tensor1D; bn: Layer | undefined } | undefined> {
  const depthwise = layer.getClassName() === 'DepthwiseConv2D';
  const dilation = config['dilationRate'] as number[] | number;
  if (
    config['dataFormat'] !== 'channelsLast' ||
    config['activation'] !== 'linear' ||
    (Array.isArray(dilation) ? dilation.some((d) => d !== 1) : dilation !== 1) ||
    (depthwise && config['depthMultiplier'] !== 1)
  )
    return undefined;
  const [kernel, convBias] = layer.getWeights();
  if (!kernel || kernel.rank !== 4) return undefined;
  // Output channels are the kernel's last axis, or for a depthwise kernel [h, w, channels, 1] its third.
  const channels = kernel.shape[depthwise ? 2 : 3]!;
  const scale = new Float64Array(channels).fill(1);
  const shift = convBias ? Float64Array.from(await convBias.data()) : new Float64Array(channels);
  let foldedBn: Layer | undefined;
  const bnConfig = bn?.getConfig() as Config | undefined;
  if (
    bn &&
    bnConfig &&
    bnConfig['center'] === true &&
    bnConfig['scale'] === true &&
    [-1, 3].includes(bnConfig['axis'] as number)
  ) {
    const [gamma, beta, mean, variance] = await Promise.all(bn.getWeights().map((w) => w.data()));
    const epsilon = bnConfig['epsilon'] as number;
    if (!gamma || gamma.length !== channels || !beta || !mean || !variance) return undefined;
    for (let c = 0; c < channels; c++) {
      scale[c] = gamma[c]! / Math.sqrt(variance[c]! + epsilon);
      shift[c] = beta[c]! + (shift[c]! - mean[c]!) * scale[c]!;
    }
    foldedBn = bn;
  }
  const values = (await kernel.data()) as Float32Array;
  // A plain loop: `from` with a map function calls it once for each of half a million weights, on the path from
  // the model's arrival to the first features.
  const filter = new Float32Array(values.length);
  for (let i = 0, c = 0; i < values.length; i++, c = c + 1 === channels ? 0 : c + 1) filter[i] = values[i]! * scale[c]!;
  return { filter: tf.tensor(filter, kernel.shape), bias: tf.tensor1d(Float32Array.from(shift)), bn: foldedBn };
}
