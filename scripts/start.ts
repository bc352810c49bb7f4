// npm start: build the app when its sources are newer than dist/, then serve it on
// http://localhost:5173 next to the embedded collector on http://127.0.0.1:5174.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'vite';
import { startCollector } from '../collector/server';
import { startStaticServer } from './static-server';

const { values } = parseArgs({
  options: { port: { type: 'string', default: process.env['PORT'] ?? '5173' }, 'collector-port': { type: 'string', default: '5174' }, collector: { type: 'string' }, data: { type: 'string', default: '.data/collector' } },
});

function newest(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, name.name);
    t = Math.max(t, name.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return t;
}

const sourcesAt = Math.max(newest('src'), statSync('index.html').mtimeMs, newest('public'));
if (!existsSync('dist/index.html') || statSync('dist/index.html').mtimeMs < sourcesAt) {
  console.error('start: building the app…');
  await build({ logLevel: 'warn' });
}

const port = Number(values.port);
const appOrigins = [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
// An external endpoint replaces the embedded collector.
const collectorUrl = values.collector ?? (await startCollector({ port: Number(values['collector-port']), dataDir: values.data, allowedOrigins: appOrigins })).url;
const app = await startStaticServer({ root: 'dist', port, host: 'localhost', collectorUrl });
console.error(`Obscura: ${app.url.replace('127.0.0.1', 'localhost')}  (reports go to ${collectorUrl}/reports)`);
