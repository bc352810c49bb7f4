/**
 * Real modules of src/, bundled once with Vite and served from loopback to a page that puts them on
 * `window.ledger`: tests call the shipped code in real Chromium IndexedDB without the app around it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Rolldown } from 'vite';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/**
 * `modules`: path under src/ (no extension) → the names it exports to the page; a path starting with `tests/`
 * is test support (a reference the test compares the shipped modules with), from the repository root.
 */
export async function serveBundledModules(
  modules: Record<string, readonly string[]>,
): Promise<{ url: string; close: () => Promise<void> }> {
  const entry = join(mkdtempSync(join(tmpdir(), 'obscura-modules-')), 'entry.ts');
  const lines = Object.entries(modules).map(
    ([m, names]) => `export { ${names.join(', ')} } from '${ROOT}/${m.startsWith('tests/') ? m : `src/${m}`}';`,
  );
  writeFileSync(entry, lines.join('\n'));
  const output = (await build({
    configFile: false,
    logLevel: 'silent',
    build: { write: false, minify: false, lib: { entry, formats: ['es'], fileName: 'ledger' } },
  })) as Rolldown.RolldownOutput[];
  const script = (output[0]!.output[0] as Rolldown.OutputChunk).code;
  const page = '<!doctype html><script type="module">import * as l from "/ledger.js"; window.ledger = l;</script>';
  const server = createServer((req, res) => {
    const js = req.url === '/ledger.js';
    res.writeHead(200, { 'content-type': js ? 'text/javascript' : 'text/html' });
    res.end(js ? script : page);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
