// What a first visit downloads, measured on the production build in dist/: raw and gzip bytes.
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MOBILENET_V2 } from '../src/engine/model/registry';
import { modelBytes, servedBytes, type ServedBytes } from '../tests/support/served-bytes';

export type Bytes = ServedBytes | 'n/a';

export interface FirstLoadBytes {
  /** index.html and what it loads at once (entry script, CSS, preloads). */
  readonly app: ServedBytes;
  /** Worker entry chunks (`*.worker-*.js`, not the tfjs pthread script). */
  readonly workers: Readonly<Record<string, ServedBytes>>;
  readonly wasm: Readonly<Record<'plain' | 'simd' | 'threadedSimd', ServedBytes>>;
  /** The unminified emscripten script and pthread worker script: fetched only on isolated pages. */
  readonly pthreadScripts: ServedBytes;
  readonly model: { readonly cut: ServedBytes; readonly full: ServedBytes };
  readonly widgetLoader: Bytes;
  /** Everything an isolated first visit fetches (threaded WASM), with the cut and with the full model. */
  readonly totalIsolated: { readonly cut: ServedBytes; readonly full: ServedBytes };
  /** The same for a page that is not isolated (single-thread SIMD WASM, no pthread scripts). */
  readonly totalNotIsolated: { readonly cut: ServedBytes; readonly full: ServedBytes };
}

function sum(...parts: ServedBytes[]): ServedBytes {
  return { raw: parts.reduce((a, b) => a + b.raw, 0), gzip: parts.reduce((a, b) => a + b.gzip, 0) };
}

export async function measureFirstLoadBytes(dist: string): Promise<FirstLoadBytes> {
  const html = await readFile(join(dist, 'index.html'), 'utf8');
  const linked = [...html.matchAll(/(?:src|href)="\/?([^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  const app = sum(
    await servedBytes(join(dist, 'index.html')),
    ...(await Promise.all(linked.map((f) => servedBytes(join(dist, f))))),
  );
  const assets = await readdir(join(dist, 'assets'));
  const find = (re: RegExp) => {
    const name = assets.find((f) => re.test(f));
    if (!name) throw new Error(`no asset matches ${re} in ${dist}/assets`);
    return join(dist, 'assets', name);
  };
  const workers: Record<string, ServedBytes> = {};
  for (const f of assets.filter((a) => /\.worker-[\w-]+\.js$/.test(a) && !a.startsWith('tfjs-'))) {
    workers[f.replace(/-[\w-]+\.js$/, '')] = await servedBytes(join(dist, 'assets', f));
  }
  const wasm = {
    plain: await servedBytes(find(/^tfjs-backend-wasm-[\w-]+\.wasm$/)),
    simd: await servedBytes(find(/^tfjs-backend-wasm-simd-[\w-]+\.wasm$/)),
    threadedSimd: await servedBytes(find(/^tfjs-backend-wasm-threaded-simd-[\w-]+\.wasm$/)),
  };
  const pthreadScripts = sum(
    await servedBytes(find(/^tfjs-backend-wasm-threaded-simd-[\w-]+\.js$/)),
    await servedBytes(find(/^tfjs-backend-wasm-threaded-simd\.worker-[\w-]+\.js$/)),
  );
  const model = {
    cut: await modelBytes(join(dist, MOBILENET_V2.cuts![0]!.url)),
    full: await modelBytes(join(dist, MOBILENET_V2.url)),
  };
  const widget = join(dist, 'widget.js');
  const widgetLoader: Bytes = existsSync(widget) ? await servedBytes(widget) : 'n/a';
  const shared = sum(app, ...Object.values(workers));
  return {
    app,
    workers,
    wasm,
    pthreadScripts,
    model,
    widgetLoader,
    totalIsolated: {
      cut: sum(shared, wasm.threadedSimd, pthreadScripts, model.cut),
      full: sum(shared, wasm.threadedSimd, pthreadScripts, model.full),
    },
    totalNotIsolated: { cut: sum(shared, wasm.simd, model.cut), full: sum(shared, wasm.simd, model.full) },
  };
}
