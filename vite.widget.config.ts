import { defineConfig } from 'vite';

// The host-side loader: one classic script at a stable URL (/widget.js), built apart
// from the app so it carries nothing but the element and the protocol.
export default defineConfig({
  publicDir: false,
  build: {
    target: 'es2022',
    emptyOutDir: false,
    outDir: 'dist',
    sourcemap: false,
    lib: { entry: 'src/widget/loader.ts', formats: ['iife'], name: 'ObscuraWidget', fileName: () => 'widget.js' },
  },
});
