import type * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ObscuraError } from '../../errors';
import { FeatureExtractor } from '../feature-extractor';
import { loadFeatureNetwork } from '../model/load-model';
import type { ModelConfig } from '../model/model-config';
import { configForLayer } from '../model/model-files';
import { DEFAULT_MODEL_ID, ModelRegistry } from '../model/registry';
import { fileIOHandler } from './file-io-handler';
import { initNodeBackend, type NodeBackend } from './node-backend';
import type { RgbImage } from './decode-file';

/** The folder that scripts/convert-model.mjs writes models into (public/models), served by the app too. */
export const NODE_MODEL_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'public');

export interface NodeExtractorOptions {
  modelId?: string;
  layer?: string;
  backend?: NodeBackend;
  registry?: ModelRegistry;
  /** Base folder for relative model URLs (default: the package's public/ folder). */
  modelRoot?: string;
}

/** A FeatureExtractor running in Node on the WASM (or CPU) backend, reading models from disk. */
export class NodeExtractor {
  private constructor(
    readonly backend: NodeBackend,
    readonly extractor: FeatureExtractor,
  ) {}

  static async create(options: NodeExtractorOptions = {}): Promise<NodeExtractor> {
    const registry = options.registry ?? new ModelRegistry();
    const config = registry.get(options.modelId ?? DEFAULT_MODEL_ID);
    const backend = await initNodeBackend(options.backend ?? 'wasm');
    const layer = options.layer ?? config.defaultLayer;
    // The cut made for this layer when there is one (a fraction of the weights), else the full model.
    const files = configForLayer(config, layer);
    const network = await loadFeatureNetwork(config, modelSource(files, options.modelRoot ?? NODE_MODEL_ROOT), layer);
    return new NodeExtractor(backend, new FeatureExtractor(config, network));
  }

  get model() {
    return this.extractor.model;
  }

  get config(): ModelConfig {
    return this.extractor.config;
  }

  /** Clean feature vectors of decoded RGB images. */
  async extract(images: readonly RgbImage[]): Promise<Float32Array[]> {
    return this.extractor.extractPixels(images.map((im) => ({ ...im, channels: 3 as const })));
  }

  dispose(): void {
    this.extractor.dispose();
  }
}

function modelSource(config: ModelConfig, modelRoot: string): string | tf.io.IOHandler {
  if (/^https?:\/\//.test(config.url)) return config.url;
  const path = config.url.startsWith('file://') ? fileURLToPath(config.url) : join(modelRoot, config.url);
  if (!existsSync(path)) {
    throw new ObscuraError(
      'ModelLoadError',
      `model "${config.id}" not found at ${path}; ` +
        'run "npm install" (it converts the default model) or register a model URL',
    );
  }
  return fileIOHandler(path);
}
