/**
 * Writes a brotli (`.br`) and a gzip (`.gz`) copy beside each file of the build (scripts, styles, the
 * WASM builds, the shell, the service worker, the model), so the static server sends them compressed
 * without compressing on each request. A copy that would not be smaller is not written.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Plugin } from 'vite';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Formats already compressed, or source maps nobody fetches on a visit. */
const SKIPPED = /\.(br|gz|png|jpe?g|webp|woff2|ico|map)$/i;

export async function precompressFolder(folder: string, options: { recursive?: boolean } = {}): Promise<number> {
  let written = 0;
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const name = entry.name;
    const path = join(folder, name);
    if (entry.isDirectory()) {
      if (options.recursive) written += await precompressFolder(path, options);
      continue;
    }
    if (SKIPPED.test(name) || !entry.isFile()) continue;
    const body = await readFile(path);
    const [br, gz] = await Promise.all([
      brotli(body, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
          [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
        },
      }),
      gzipAsync(body, { level: 9 }),
    ]);
    for (const [copy, suffix] of [
      [br, '.br'],
      [gz, '.gz'],
    ] as const) {
      if (copy.length >= body.length) continue;
      await writeFile(path + suffix, copy);
      written++;
    }
  }
  return written;
}

export function precompressAssets(): Plugin {
  let outDir = 'dist';
  return {
    name: 'obscura-precompress-assets',
    apply: 'build',
    configResolved(config) {
      // resolve: an absolute outDir (a test's temporary build) stays as it is.
      outDir = resolve(config.root, config.build.outDir);
    },
    // After the service worker is written (vite-plugin-pwa's closeBundle), so it is compressed too.
    closeBundle: {
      sequential: true,
      order: 'post',
      async handler() {
        await precompressFolder(outDir, { recursive: true });
      },
    },
  };
}
