import * as tf from '@tensorflow/tfjs-core';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import { ObscuraError } from '../../errors';
import { foldBatchNorm } from './fold-batch-norm';
import type { ModelConfig } from './model-config';

/** A loaded model cut at a feature layer: maps a normalised batch to [batch, channels] features. */
export interface FeatureNetwork {
  readonly layer: string;
  readonly dims: number;
  /** Runs the network to the feature layer and global-average-pools it. Call inside tf.tidy. */
  run(batch: tf.Tensor4D): tf.Tensor2D;
  dispose(): void;
}

export type ModelSource = string | tf.io.IOHandler;

export interface LoadOptions {
  /**
   * Asked once the network is built: true skips the warm-up run, because a real image is already
   * waiting and its run compiles the kernels as well (a backend that breaks then falls back as at any run).
   */
  readonly skipWarmUp?: () => boolean;
}

/** Loads the model's weights (from a URL or an IOHandler) and cuts it at `layer`. */
export async function loadFeatureNetwork(
  config: ModelConfig,
  source: ModelSource,
  layer = config.defaultLayer,
  options: LoadOptions = {},
): Promise<FeatureNetwork> {
  let network: FeatureNetwork;
  try {
    network = config.format === 'layers' ? await loadLayers(source, layer) : await loadGraph(source, layer);
  } catch (err) {
    if (err instanceof ObscuraError) throw err;
    const where = typeof source === 'string' ? source : 'the given model files';
    throw new ObscuraError(
      'ModelLoadError',
      `could not load model "${config.id}" from ${where}: ${(err as Error).message}`,
      { modelId: config.id },
    );
  }
  if (options.skipWarmUp?.()) return network;
  try {
    warmUp(network, config);
  } catch (err) {
    network.dispose();
    throw err;
  }
  return network;
}

async function loadLayers(source: ModelSource, layerName: string): Promise<FeatureNetwork> {
  const handler = typeof source === 'string' ? tf.io.http(source) : source;
  if (!handler.load) throw new Error('the model source cannot load: its IOHandler has no load method');
  const artifacts = await handler.load();
  // Inference alone: built from the files with the normalisations folded into the convolutions, when every
  // layer up to the cut allows it; tfjs-layers runs any other model.
  const folded = foldBatchNorm(artifacts, layerName);
  if (folded)
    return {
      layer: layerName,
      dims: folded.dims,
      run: (batch) => globalPool(folded.run(batch)),
      dispose: folded.dispose,
    };
  // tfjs-layers is fetched only for such a model: the default one never needs it.
  const { loadLayersModel, model: layersModel } = await import('@tensorflow/tfjs-layers');
  const model = await loadLayersModel({ load: async () => artifacts });
  const layer = model.layers.find((l) => l.name === layerName);
  if (!layer) {
    model.dispose();
    throw unknownLayer(
      layerName,
      model.layers.map((l) => l.name),
    );
  }
  const cut = layersModel({ inputs: model.inputs, outputs: layer.output as SymbolicTensor });
  return {
    layer: layerName,
    dims: channelsOf(cut.outputs[0]!.shape),
    run: (batch) => globalPool(cut.predict(batch) as tf.Tensor),
    // The cut shares its layers (and so its weights) with the full model.
    dispose: () => model.dispose(),
  };
}

async function loadGraph(source: ModelSource, nodeName: string): Promise<FeatureNetwork> {
  // Graph models are the exception: their loader is fetched only when one is registered.
  const { loadGraphModel } = await import('@tensorflow/tfjs-converter');
  const model = await loadGraphModel(source);
  const nodes = Object.keys(
    (model as unknown as { executor: { graph: { nodes: Record<string, unknown> } } }).executor.graph.nodes,
  );
  if (!nodes.includes(nodeName)) {
    model.dispose();
    throw unknownLayer(nodeName, nodes);
  }
  let dims = 0;
  const network: FeatureNetwork = {
    layer: nodeName,
    get dims() {
      return dims;
    },
    run: (batch) => globalPool(model.execute(batch, nodeName) as tf.Tensor),
    dispose: () => model.dispose(),
  };
  const inputShape = model.inputs[0]?.shape ?? [];
  const [, h = 224, w = 224, c = 3] = inputShape.map((d) => (d > 0 ? d : 224));
  const probe = tf.zeros([1, h, w, c]) as tf.Tensor4D;
  const out = tf.tidy(() => network.run(probe));
  dims = out.shape[1];
  out.dispose();
  probe.dispose();
  return network;
}

/** Global average pooling over the spatial axes; a rank-2 output is already a vector per image. */
function globalPool(t: tf.Tensor): tf.Tensor2D {
  if (t.rank === 4) return tf.mean(t, [1, 2]) as tf.Tensor2D;
  if (t.rank === 2) return t as tf.Tensor2D;
  if (t.rank === 3) return tf.mean(t, 1) as tf.Tensor2D;
  throw new ObscuraError('UnknownLayerError', `feature layer output has rank ${t.rank}; expected 2, 3 or 4`);
}

function channelsOf(shape: readonly (number | null)[]): number {
  const last = shape[shape.length - 1];
  if (typeof last !== 'number' || last <= 0)
    throw new ObscuraError(
      'UnknownLayerError',
      `feature layer has no fixed channel count (shape ${JSON.stringify(shape)})`,
    );
  return last;
}

function unknownLayer(name: string, valid: string[]): ObscuraError {
  const shown = valid.length > 40 ? [...valid.slice(0, 20), '…', ...valid.slice(-20)] : valid;
  return new ObscuraError('UnknownLayerError', `unknown layer "${name}"; the model has: ${shown.join(', ')}`, {
    layer: name,
  });
}

/** One run on zeros so kernels are compiled before the first real image (and a broken backend shows up at load). */
function warmUp(network: FeatureNetwork, config: ModelConfig): void {
  const [h, w] = config.inputSize;
  tf.tidy(() => network.run(tf.zeros([1, h, w, 3]))).dispose();
}
