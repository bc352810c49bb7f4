/**
 * The app page asks for the engine worker's script and the default model's files as soon as its head is
 * read, right after its own scripts, instead of once its scripts have run, started the worker, and the
 * worker has parsed its code and asked for the model: on a slow line those downloads are the first
 * features' longest wait, and the line would otherwise idle while the page and the worker compile.
 * The engine's own requests then find them in the HTTP cache: the worker script is hashed and immutable
 * (no request at all); the model files are revalidated (one 304 each, no body again).
 * `prefetch`, not `preload`: its low priority lets the page's own scripts and style arrive first, and the
 * browser does not warn that the page never used what a worker takes. Not the WASM build: which of the
 * three the engine runs depends on the browser, and only that one is fetched.
 */
import type { Plugin } from 'vite';
import { MOBILENET_V2 } from '../src/engine/model/registry';

const ENGINE_WORKER = /^assets\/engine\.worker-[\w-]+\.js$/;

/** The default cut's model.json and weight files, as the engine asks for them (relative to the base). */
function defaultModelFiles(): string[] {
  const cut = MOBILENET_V2.cuts?.find((c) => c.layer === MOBILENET_V2.defaultLayer);
  if (!cut) return [];
  const dir = cut.url.slice(0, cut.url.lastIndexOf('/') + 1);
  return [cut.url, ...(cut.weights ?? []).map((w) => dir + w)];
}

export function firstVisitPrefetch(page = 'index.html'): Plugin {
  let base = '/';
  return {
    name: 'obscura-first-visit-prefetch',
    apply: 'build',
    configResolved(config) {
      base = config.base;
    },
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        if (!ctx.filename.endsWith(`/${page}`) || !ctx.bundle) return [];
        const worker = Object.keys(ctx.bundle).find((f) => ENGINE_WORKER.test(f));
        if (!worker) throw new Error(`first-visit prefetch: no engine worker chunk in the bundle of ${page}`);
        return [worker, ...defaultModelFiles()].map((file) => ({
          tag: 'link',
          attrs: { rel: 'prefetch', href: base + file, crossorigin: true },
          injectTo: 'head' as const,
        }));
      },
    },
  };
}
