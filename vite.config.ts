import { defineConfig } from 'vite';
import { wasmThreads } from './scripts/vite-wasm-threads';
import { offlineApp } from './scripts/vite-offline-app';

// Cross-origin isolation lets tfjs-wasm use threads where the machine has cores to spare.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  server: { port: 5173, headers: isolationHeaders },
  preview: { port: 5173, headers: isolationHeaders },
  // tfjs-wasm's threaded build, made to work in the bundle (threads need the page isolated).
  plugins: [wasmThreads(), offlineApp()],
  worker: { format: 'es', plugins: () => [wasmThreads()] },
  // Three pages: the app, the widget page the loader frames on host pages, and the first-party
  // window a widget on another site opens.
  build: { target: 'es2022', sourcemap: true, rollupOptions: { input: ['index.html', 'widget.html', 'connect.html'] } },
});
