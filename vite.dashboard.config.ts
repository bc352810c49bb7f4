import { defineConfig } from 'vite';

// The collector's dashboard: one classic script (script-src 'self', no inline code) beside a
// static page and stylesheet, in dist-dashboard/, which the collector reads at start.
export default defineConfig({
  publicDir: 'collector/dashboard/static',
  build: {
    target: 'es2022',
    outDir: 'dist-dashboard',
    emptyOutDir: true,
    sourcemap: false,
    lib: {
      entry: 'collector/dashboard/main.ts',
      formats: ['iife'],
      name: 'ObscuraDashboard',
      fileName: () => 'dashboard.js',
    },
  },
});
