import type { ModelConfig } from './model-config';

/** Which model.json gives `layer`: the cut made for it when one exists, else the full model. */
export function modelFilesFor(
  config: ModelConfig,
  layer: string,
): { url: string; cut: boolean; weights?: readonly string[] } {
  const cut = config.cuts?.find((c) => c.layer === layer);
  if (cut) return { url: cut.url, cut: true, ...(cut.weights ? { weights: cut.weights } : {}) };
  return { url: config.url, cut: false, ...(config.weights ? { weights: config.weights } : {}) };
}

/** The absolute URLs of the files that give `layer` and are known in advance: its model.json, then its weights. */
export function modelFileUrls(config: ModelConfig, layer: string, baseUrl: string): string[] {
  const { url, weights = [] } = modelFilesFor(config, layer);
  const modelUrl = new URL(url, baseUrl);
  return [modelUrl.href, ...weights.map((file) => new URL(file, modelUrl).href)];
}

/** The config with `url` pointing at the files that give `layer` (its id, and so its reports, unchanged). */
export function configForLayer(config: ModelConfig, layer: string): ModelConfig {
  const { url, weights } = modelFilesFor(config, layer);
  if (url === config.url) return config;
  const { weights: _full, ...rest } = config;
  return { ...rest, url, ...(weights ? { weights } : {}) };
}
