import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';
import { wasmThreads } from './scripts/vite-wasm-threads';
import { offlineApp } from './scripts/vite-offline-app';
import { precompressAssets } from './scripts/vite-precompress';
import { lazyChunks } from './scripts/vite-lazy-chunks';
import { engineStartChunk } from './scripts/vite-engine-chunk';

// The WASM kernels the engine imports one by one (each its own module for the dev server's optimiser).
const wasmKernels = [
  ...readFileSync('src/engine/backends/wasm-kernels.ts', 'utf8').matchAll(/from '(@tensorflow\/[^']+\/kernels\/\w+)'/g),
].map((m) => m[1]!);

// Cross-origin isolation lets tfjs-wasm use threads where the machine has cores to spare.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  server: { port: 5173, headers: isolationHeaders },
  preview: { port: 5173, headers: isolationHeaders },
  // tfjs-wasm's threaded build, made to work in the bundle (threads need the page isolated).
  plugins: [wasmThreads(), offlineApp(), precompressAssets()],
  worker: {
    format: 'es',
    plugins: () => [wasmThreads(), lazyChunks()],
    // The engine worker's start is one file: no second round trip for the chunks it shares with other backends.
    rolldownOptions: { output: { codeSplitting: { groups: [{ name: engineStartChunk() }] } } },
  },
  // The release worker's dependencies, which the dev server's scan of the pages does not reach: found in
  // the middle of a run, a dependency is optimised anew and the pages already open are reloaded under it.
  // The same for the engine's tfjs modules, the ones it imports on demand (another backend) among them.
  optimizeDeps: {
    include: [
      '@noble/hashes/sha256',
      '@noble/hashes/utils',
      'idb',
      'comlink',
      'zod',
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-layers',
      '@tensorflow/tfjs-converter',
      '@tensorflow/tfjs-backend-cpu',
      '@tensorflow/tfjs-backend-webgl',
      '@tensorflow/tfjs-backend-webgpu',
      '@tensorflow/tfjs-backend-wasm/dist/base',
      '@tensorflow/tfjs-backend-wasm/dist/register_all_kernels',
      ...wasmKernels,
    ],
  },
  // Three pages: the app, the widget page the loader frames on host pages, and the first-party
  // window a widget on another site opens.
  build: {
    target: 'es2022',
    sourcemap: true,
    rollupOptions: { input: ['index.html', 'widget.html', 'connect.html'] },
    // The app's later parts (src/app/later-parts.ts) import what the first screen loaded and fetch the rest
    // themselves: no <link rel="modulepreload"> is added to the page for them, work in the middle of its start.
    modulePreload: { resolveDependencies: (_file, deps, { hostType }) => (hostType === 'html' ? deps : []) },
  },
});
