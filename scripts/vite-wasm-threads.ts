/**
 * Vite plugin: makes tfjs-wasm's threaded build work in the production bundle.
 *
 * tfjs starts its pthread workers from a Blob holding `factory.toString()`; once the
 * factory is bundled and minified, that text refers to names outside itself (`_scriptDir`
 * and the bundler's helpers), so the workers never start and the backend hangs. Here the
 * threaded factory that tfjs imports is swapped for a wrapper (src/engine/backends/
 * thread-scripts.ts) that points the workers at two separate, unminified assets: the
 * emscripten script exactly as the package ships it, and its pthread worker script.
 * The bundled factory's fixed pool of 8 pthread workers is also made to follow the wrapper's
 * `pthreadPoolSize` (the threads tfjs will run). The dev server pre-bundles tfjs without
 * minifying it and needs none of this.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const VIRTUAL_FACTORY = '\0obscura:tfjs-wasm-threaded-factory';
const THREADED = 'tfjs-backend-wasm-threaded-simd';
/** Emscripten starts this many pthread workers whatever the thread count; the wrapper passes the count it needs. */
const FIXED_POOL = 'var pthreadPoolSize=8;';
const SIZED_POOL = 'var pthreadPoolSize=Module["pthreadPoolSize"]||8;';

export function wasmThreads(): Plugin {
  const wasmOut = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  const mainScript = join(wasmOut, `${THREADED}.js`);
  const workerScript = join(root, 'node_modules', '.cache', 'obscura', `${THREADED}.worker.js`);
  const wrapper = join(root, 'src', 'engine', 'backends', 'thread-scripts.ts');
  return {
    name: 'obscura:tfjs-wasm-threads',
    apply: 'build',
    enforce: 'pre',
    buildStart() {
      // The package ships the pthread worker only as a string export; tfjs escapes its
      // newlines the same way before making a Blob of it.
      const { wasmWorkerContents } = require(join(wasmOut, `${THREADED}.worker.js`)) as { wasmWorkerContents: string };
      mkdirSync(dirname(workerScript), { recursive: true });
      writeFileSync(workerScript, wasmWorkerContents.replace(/\n/g, '\\n'));
    },
    resolveId(source, importer) {
      const fromTfjs = importer && /tfjs-backend-wasm[\\/]dist[\\/]backend_wasm\.js$/.test(importer);
      if (fromTfjs && source.endsWith(`wasm-out/${THREADED}.js`)) return VIRTUAL_FACTORY;
      return null;
    },
    transform(code, id) {
      // Only the factory the engine bundles: the pthread workers' own copy ships byte for byte (they start no pool).
      if (id !== mainScript) return null;
      if (!code.includes(FIXED_POOL))
        throw new Error(`${THREADED}.js no longer has "${FIXED_POOL}": re-check the patch`);
      return { code: code.replace(FIXED_POOL, SIZED_POOL), map: null };
    },
    load(id) {
      if (id !== VIRTUAL_FACTORY) return null;
      // `?url&no-inline`: emitted as files as they are (not bundled, minified or inlined as data: URLs).
      return [
        `import factory from ${JSON.stringify(mainScript)};`,
        `import mainScriptUrl from ${JSON.stringify(`${mainScript}?url&no-inline`)};`,
        `import workerScriptUrl from ${JSON.stringify(`${workerScript}?url&no-inline`)};`,
        `import { withThreadScripts } from ${JSON.stringify(wrapper)};`,
        'export default withThreadScripts(factory, mainScriptUrl, workerScriptUrl);',
      ].join('\n');
    },
  };
}
