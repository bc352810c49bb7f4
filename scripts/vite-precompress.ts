/**
 * Writes a brotli (`.br`) and a gzip (`.gz`) copy beside each fingerprinted file in the build's
 * assets/ folder (scripts, styles, the WASM builds), so the static server sends them compressed
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

export async function precompressFolder(folder: string): Promise<number> {
  let written = 0;
  for (const name of await readdir(folder)) {
    if (SKIPPED.test(name)) continue;
    const path = join(folder, name);
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
    async closeBundle() {
      await precompressFolder(join(outDir, 'assets'));
    },
  };
}
