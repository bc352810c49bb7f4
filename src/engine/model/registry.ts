import { ObscuraError } from '../../errors';
import type { ModelConfig } from './model-config';

/**
 * The default model: Keras MobileNetV2 (ImageNet backbone) from the `nsfwjs` package,
 * converted to a plain tfjs folder by scripts/convert-model.mjs. Its blocks after
 * block_10 were fine-tuned for another task. The default layer, block_12_add (96
 * signed values, 70% of the network's multiply-adds), was chosen by measurement
 * (docs/feature-layers.md, `npm run eval:layers`): it matches or beats out_relu on
 * near-duplicate retrieval and nearest-neighbour/centroid classification with 13x
 * fewer dimensions, and every dimension costs LDP noise at a fixed epsilon. Inputs
 * stay in [0, 1] as nsfwjs feeds them; [-1, 1] measured worse.
 */
export const MOBILENET_V2: ModelConfig = {
  id: 'mobilenet_v2',
  url: 'models/mobilenet_v2/model.json',
  format: 'layers',
  inputSize: [224, 224],
  normalization: { scale: 1 / 255, offset: 0 },
  resize: 'squash',
  defaultLayer: 'block_12_add',
  candidateLayers: [
    'block_9_add',
    'block_10_project_BN',
    'block_12_add',
    'block_13_expand_relu',
    'block_15_add',
    'block_16_project_BN',
    'out_relu',
  ],
  source: 'nsfwjs (MIT), MobileNetV2 with ImageNet-pretrained backbone',
  // The layers up to block_12_add hold 0.56 MB of the 2.62 MB of weights.
  cuts: [
    {
      layer: 'block_12_add',
      url: 'models/mobilenet_v2/block_12_add/model.json',
      weights: ['group1-shard1of1.bin'],
    },
  ],
};

export const DEFAULT_MODEL_ID = MOBILENET_V2.id;

/** A registry of model configs; `register` adds any tfjs layers or graph model reachable by URL. */
export class ModelRegistry {
  readonly #configs = new Map<string, ModelConfig>();

  constructor(configs: readonly ModelConfig[] = [MOBILENET_V2]) {
    for (const c of configs) this.register(c);
  }

  register(config: ModelConfig): void {
    validateModelConfig(config);
    this.#configs.set(config.id, Object.freeze({ ...config }));
  }

  get(id: string): ModelConfig {
    const config = this.#configs.get(id);
    if (!config) {
      throw new ObscuraError('UnknownModelError', `unknown model "${id}"; registered: ${this.ids().join(', ')}`);
    }
    return config;
  }

  ids(): string[] {
    return [...this.#configs.keys()];
  }
}

export function validateModelConfig(c: ModelConfig): void {
  const problems: string[] = [];
  if (!/^[A-Za-z0-9._:-]{1,128}$/.test(c.id)) problems.push(`id must be 1-128 of A-Za-z0-9._:-, got "${c.id}"`);
  if (typeof c.url !== 'string' || c.url.length === 0) problems.push('url is required');
  if (c.format !== 'layers' && c.format !== 'graph')
    problems.push(`format must be "layers" or "graph", got "${String(c.format)}"`);
  const [h, w] = c.inputSize ?? [];
  if (!Number.isInteger(h) || !Number.isInteger(w) || (h ?? 0) < 8 || (w ?? 0) < 8) {
    problems.push(`inputSize must be two integers >= 8, got ${JSON.stringify(c.inputSize)}`);
  }
  if (!Number.isFinite(c.normalization?.scale) || !Number.isFinite(c.normalization?.offset)) {
    problems.push('normalization needs finite scale and offset');
  }
  if (c.resize !== 'squash' && c.resize !== 'center-crop')
    problems.push(`resize must be "squash" or "center-crop", got "${String(c.resize)}"`);
  if (typeof c.defaultLayer !== 'string' || c.defaultLayer.length === 0) problems.push('defaultLayer is required');
  for (const cut of c.cuts ?? []) {
    if (c.format !== 'layers') problems.push('cuts apply to layers models only');
    if (typeof cut.layer !== 'string' || cut.layer.length === 0 || typeof cut.url !== 'string' || cut.url.length === 0)
      problems.push(`each cut needs a layer and a url, got ${JSON.stringify(cut)}`);
  }
  if (problems.length > 0) {
    throw new ObscuraError('InvalidParameterError', `invalid model config "${c.id}": ${problems.join('; ')}`);
  }
}
