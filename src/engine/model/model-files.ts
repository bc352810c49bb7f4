import type { ModelConfig } from './model-config';

/** Which model.json gives `layer`: the cut made for it when one exists, else the full model. */
export function modelFilesFor(config: ModelConfig, layer: string): { url: string; cut: boolean } {
  const cut = config.cuts?.find((c) => c.layer === layer);
  return cut ? { url: cut.url, cut: true } : { url: config.url, cut: false };
}

/** The config with `url` pointing at the files that give `layer` (its id, and so its reports, unchanged). */
export function configForLayer(config: ModelConfig, layer: string): ModelConfig {
  const { url } = modelFilesFor(config, layer);
  return url === config.url ? config : { ...config, url };
}
