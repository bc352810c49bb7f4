/**
 * The library build (`npm run build:lib`, run by `npm run pack:lib`): src/index.ts as one ES module,
 * dist-lib/obscura.js, with everything it needs beside it in dist-lib/assets: both workers as
 * separate files, the WASM binaries and the threaded build's scripts, each found through
 * `new URL(…, import.meta.url)` (base './'), so a bundler that builds a page against the package
 * copies them as they are. The default cut model is copied to dist-lib/models/; a page serves it
 * at its own base (the extractor's default) or passes `modelBaseUrl`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { wasmThreads } from './scripts/vite-wasm-threads';

const CUT_MODEL = 'models/mobilenet_v2/block_12_add';
const CUT_MODEL_FILES = ['model.json', 'group1-shard1of1.bin'];

/** Ships the default (cut) model with the library: 0.56 MB of uint8 weights. */
function cutModel(): Plugin {
  return {
    name: 'obscura:lib-cut-model',
    apply: 'build',
    generateBundle() {
      for (const file of CUT_MODEL_FILES)
        this.emitFile({
          type: 'asset',
          fileName: `${CUT_MODEL}/${file}`,
          source: readFileSync(join('public', CUT_MODEL, file)),
        });
    },
  };
}

/**
 * Writes each worker's construction as the plain `new Worker(new URL("./assets/x.js", import.meta.url))`
 * that bundlers recognise, so a page's build bundles the worker file and the WASM files it points at.
 * Vite's own output wraps that URL in a second `new URL(…)`, which bundlers would copy as an opaque asset.
 */
function plainWorkerUrls(): Plugin {
  const nested = /new URL\(new URL\(`(assets\/[\w.-]+\.js)`,import\.meta\.url\)\.href,``\+import\.meta\.url\)/g;
  return {
    name: 'obscura:lib-plain-worker-urls',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const entry = bundle['obscura.js'];
      if (entry?.type !== 'chunk') throw new Error('library build: obscura.js is missing');
      const count = entry.code.match(nested)?.length ?? 0;
      if (count !== 2) throw new Error(`library build: expected 2 worker URLs in obscura.js, found ${count}`);
      entry.code = entry.code.replace(nested, (_m, file: string) => `new URL("./${file}",import.meta.url)`);
    },
  };
}

export default defineConfig({
  base: './',
  publicDir: false,
  plugins: [wasmThreads(), cutModel(), plainWorkerUrls()],
  worker: { format: 'es', plugins: () => [wasmThreads()] },
  build: {
    target: 'es2022',
    outDir: 'dist-lib',
    emptyOutDir: true,
    sourcemap: false,
    modulePreload: false,
    // Files, not data: URLs: workers and WASM must stay separate (CSP, and the pthread scripts).
    assetsInlineLimit: 0,
    rollupOptions: {
      input: 'src/index.ts',
      preserveEntrySignatures: 'strict',
      output: { entryFileNames: 'obscura.js', chunkFileNames: 'assets/[name]-[hash].js' },
    },
  },
});
