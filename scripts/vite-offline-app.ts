/**
 * The offline PWA's build step (vite-plugin-pwa, Workbox): the web app manifest, and the
 * service worker src/sw/sw.ts built to dist/sw.js with the precache manifest injected.
 * The precache holds what the app needs with no network: the shell, both workers, the
 * threaded build's scripts and the demo codebook. The default cut model is listed only for its
 * revisions: the engine's own fetch fills its cache (src/sw/model-files.ts). Not the full model
 * (the app never loads it by default), the widget or maps. Not the WASM builds either: a
 * browser runs one of the three, and the service worker caches that one when the engine
 * fetches it (src/sw/sw.ts), so the others are never downloaded. Nor the engine's chunks
 * that only another backend needs (scripts/vite-lazy-chunks.ts).
 */
import type { PluginOption } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { isOnDemandChunk } from './vite-lazy-chunks';

/** Headroom over Workbox's default cap of 2 MiB, for a grown worker chunk. */
const MAX_PRECACHED_BYTES = 16 * 1024 * 1024;

export function offlineApp(): PluginOption {
  return VitePWA({
    strategies: 'injectManifest',
    srcDir: 'src/sw',
    filename: 'sw.ts',
    // The page registers the worker itself (src/app/service-worker-registration.ts) to show its own prompt.
    injectRegister: false,
    registerType: 'prompt',
    manifest: {
      name: 'Obscura',
      short_name: 'Obscura',
      description: 'Image features computed on your device, made private before anything leaves it.',
      start_url: './',
      scope: './',
      display: 'standalone',
      background_color: '#ffffff',
      theme_color: '#1f5fbf',
      icons: [
        { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
        { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
        { src: 'icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      ],
    },
    injectManifest: {
      rollupFormat: 'iife',
      // The manifest and its icons are added by the plugin itself. Not the favicon: the browser fetches
      // it with the page and keeps it itself.
      globPatterns: [
        '*.html',
        'assets/*.{js,css}',
        'models/mobilenet_v2/block_12_add/*.{json,bin}',
        'codebooks/*.json',
      ],
      globIgnores: ['widget.html', 'widget.js', 'connect.html', '**/*.map'],
      maximumFileSizeToCacheInBytes: MAX_PRECACHED_BYTES,
      // The engine's other backends and extra kernels: fetched (and then cached) only where one is used.
      manifestTransforms: [
        async (entries) => ({ manifest: entries.filter((e) => !isOnDemandChunk(e.url)), warnings: [] }),
      ],
    },
  });
}
