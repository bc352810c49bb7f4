/**
 * Preload hints in the app's page for the files of the model the engine loads by default. The engine
 * worker asks for them only once its script has arrived and run; on a slow line their download is then
 * the longest step before the first features. Asked for by the page's head instead, they download while
 * the page's and the worker's scripts arrive and run, and the worker's own fetch finds them in the HTTP
 * cache (a revalidation, no body: the model is served `no-cache`, so it is still fetched once).
 */
import type { Plugin } from 'vite';
import { modelFilesFor } from '../src/engine/model/model-files';
import { MOBILENET_V2 } from '../src/engine/model/registry';

/** The pages that start the engine with the default model at once (the app; the widget starts on demand). */
const PAGES = new Set(['index.html']);

/** The default model's files (model.json, then its weights), as paths under the app's base. */
export function defaultModelFiles(): string[] {
  const { url, weights = [] } = modelFilesFor(MOBILENET_V2, MOBILENET_V2.defaultLayer);
  return [url, ...weights.map((file) => new URL(file, new URL(url, 'http://x/')).pathname.slice(1))];
}

export function modelPreload(): Plugin {
  let base = '/';
  return {
    name: 'obscura-model-preload',
    apply: 'build',
    configResolved(config) {
      base = config.base;
    },
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        if (!PAGES.has(ctx.filename.split(/[\\/]/).pop() ?? '')) return [];
        // After the page's own scripts and styles in the head, which the first paint needs.
        return defaultModelFiles().map((path) => ({
          tag: 'link',
          attrs: { rel: 'preload', as: 'fetch', crossorigin: true, href: `${base}${path}` },
          injectTo: 'head' as const,
        }));
      },
    },
  };
}
