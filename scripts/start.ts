/**
 * npm start: builds the app when dist/ is missing or older than its sources, then
 * serves it on http://localhost:5173 (COOP/COEP, CSP, /config.json) next to the
 * embedded collector on http://127.0.0.1:5174, or next to an external collector.
 *
 *   npm start -- [--port 5173] [--collector-port 5174] [--data .data/collector | --memory]
 *                [--collector https://collector.example] [--skip-build]
 *                [--host 127.0.0.1] [--public-url https://obscura.example]
 *                [--tls-cert cert.pem --tls-key key.pem]   (the embedded collector serves HTTPS too)
 *                [--frame-ancestors https://a.example,https://b.example]   (alias --widget-ancestors)
 *                [--widget-endpoints https://collector.example]
 *                [--aggregators https://leader.example,https://helper.example]
 *                [--read-token TOKEN] [--codebooks public/codebooks] [--tasks tasks.json]   (embedded collector)
 *   env: PORT, COLLECTOR_PORT, COLLECTOR_URL, WIDGET_ANCESTORS, WIDGET_ENDPOINTS, AGGREGATORS,
 *        COLLECTOR_READ_TOKEN
 *   npm start -- --help describes each flag (start-args.ts); a wrong command line, or a tasks file
 *   declaring a task no release can meet, exits with status 2.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startCollector, type Collector } from '../collector/server';
import { DEFAULT_CODEBOOKS_DIR } from '../collector/codebooks';
import { closeOnSignals } from '../server-kit/index';
import type { TlsCredentials } from '../server-kit/tls';
import { describeError, isErrorNamed } from '../src/errors';
import { collectorUrlUnder, localAppUrl, publicOriginOf } from './deploy-origins';
import { parseStartArgs, USAGE } from './start-args';
import { startStaticServer } from './static-server';

const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** What the app bundle is built from. */
const SOURCES = [
  'src',
  'public',
  'index.html',
  'widget.html',
  'vite.config.ts',
  'vite.widget.config.ts',
  'tsconfig.app.json',
  'tsconfig.base.json',
  'package.json',
];

export interface LaunchOptions {
  /** Built app to serve; dist/ of the project by default. */
  root?: string;
  /** Port of the app; 5173 by default, 0 for any free one. */
  port?: number;
  /** Interface both servers listen on; 127.0.0.1 by default (what http://localhost reaches). */
  host?: string;
  /**
   * The app's public origin (https, or http on loopback): the app's address, allowed at the embedded
   * collector, which the app is told to reach under this name at its own port.
   */
  publicUrl?: string;
  /** Serve the app and the embedded collector over HTTPS with this certificate and key. */
  tls?: TlsCredentials;
  /** Port of the embedded collector; 5174 by default. */
  collectorPort?: number;
  /** Base URL of an external collector; the embedded one is not started then. */
  collectorUrl?: string;
  /** Database folder of the embedded collector; .data/collector by default. */
  dataDir?: string;
  /** Keep the embedded collector's database in memory. */
  inMemory?: boolean;
  /** A new database of the embedded collector starts as a copy of this one (CollectorOptions.pgliteTemplate). */
  pgliteTemplate?: Blob;
  /** The embedded collector's reads need `Authorization: Bearer <readToken>`. */
  readToken?: string;
  /** Folder of the codebooks the embedded collector accepts; public/codebooks by default. */
  codebooks?: string;
  /** Tasks file the embedded collector declares; the app's own scopes (collector/tasks.ts) by default. */
  tasks?: string;
  /** Origins that may embed the widget; any origin by default. */
  widgetAncestors?: readonly string[];
  /** Origins besides the collector's that a widget host may name as its `endpoint`. */
  widgetEndpoints?: readonly string[];
  /** Origins of the aggregators aggregate-only scopes may send shares to (the app's CSP allows them). */
  aggregators?: readonly string[];
  /** 'auto' (the default) builds when dist/ is stale; false never builds. */
  build?: 'auto' | false;
}

export interface Launched {
  /** The app's address: the public URL when one is given, else its address on this machine. */
  readonly appUrl: string;
  /** Where a browser on this machine reaches the app. */
  readonly localUrl: string;
  readonly collectorUrl: string;
  /** The embedded collector, when one was started. */
  readonly collector: Collector | undefined;
  close(): Promise<void>;
}

/** Newest modification time under the given files and folders (0 when none exists). */
export function newestMtime(paths: readonly string[]): number {
  let t = 0;
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const info = statSync(path);
    if (!info.isDirectory()) t = Math.max(t, info.mtimeMs);
    else for (const name of readdirSync(path)) t = Math.max(t, newestMtime([join(path, name)]));
  }
  return t;
}

/** True when `outDir` has no index.html or is older than any of `sources`. */
export function needsBuild(outDir: string, sources: readonly string[]): boolean {
  const index = join(outDir, 'index.html');
  return !existsSync(index) || statSync(index).mtimeMs < newestMtime(sources);
}

async function buildIfStale(): Promise<void> {
  // The model is converted from its npm package at install; redo it if it went missing.
  const converted = spawnSync(process.execPath, [join(PROJECT, 'scripts', 'convert-model.mjs')], {
    cwd: PROJECT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (converted.status !== 0) throw new Error('converting the model failed (see above)');
  if (
    !needsBuild(
      join(PROJECT, 'dist'),
      SOURCES.map((s) => join(PROJECT, s)),
    )
  )
    return buildDashboardIfStale();
  console.error('start: dist/ is missing or older than the sources; building the app…');
  const { build } = await import('vite');
  await build({ root: PROJECT, logLevel: 'warn' });
  await build({ root: PROJECT, configFile: join(PROJECT, 'vite.widget.config.ts'), logLevel: 'warn' });
  await buildDashboardIfStale();
}

/** The collector's /dashboard page, read by the collector at start. */
async function buildDashboardIfStale(): Promise<void> {
  const sources = ['collector/dashboard', 'vite.dashboard.config.ts', 'tsconfig.base.json', 'package.json'];
  if (
    !needsBuild(
      join(PROJECT, 'dist-dashboard'),
      sources.map((s) => join(PROJECT, s)),
    )
  )
    return;
  const { build } = await import('vite');
  await build({ root: PROJECT, configFile: join(PROJECT, 'vite.dashboard.config.ts'), logLevel: 'warn' });
}

/** Starts the collector (unless an external one is given) and the app server. */
export async function launch(options: LaunchOptions = {}): Promise<Launched> {
  const publicOrigin = options.publicUrl === undefined ? undefined : publicOriginOf(options.publicUrl, !!options.tls);
  if (options.build !== false && options.root === undefined) await buildIfStale();
  const host = options.host ?? '127.0.0.1';
  const collector = options.collectorUrl
    ? undefined
    : await startCollector({
        port: options.collectorPort ?? 5174,
        host,
        // The demo codebook's reports are taken; a category report of any other codebook is refused.
        codebooks: options.codebooks ?? (existsSync(DEFAULT_CODEBOOKS_DIR) ? DEFAULT_CODEBOOKS_DIR : new Map()),
        ...(options.tls ? { tls: options.tls } : {}),
        ...(options.readToken ? { readToken: options.readToken } : {}),
        ...(options.tasks ? { tasks: options.tasks } : {}),
        ...(options.pgliteTemplate ? { pgliteTemplate: options.pgliteTemplate } : {}),
        ...(options.inMemory
          ? { inMemory: true }
          : { dataDir: options.dataDir ?? join(PROJECT, '.data', 'collector') }),
      });
  try {
    // Browsers elsewhere reach the embedded collector under the app's public name.
    const publicCollector = collector && publicOrigin ? collectorUrlUnder(publicOrigin, collector.port) : undefined;
    if (publicCollector) collector?.allowHost(new URL(publicCollector).host);
    const collectorUrl = options.collectorUrl ?? publicCollector ?? collector!.url;
    const app = await startStaticServer({
      root: options.root ?? join(PROJECT, 'dist'),
      port: options.port ?? 5173,
      host,
      collectorUrl,
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.widgetAncestors ? { widgetAncestors: options.widgetAncestors } : {}),
      ...(options.widgetEndpoints ? { widgetEndpoints: options.widgetEndpoints } : {}),
      ...(options.aggregators ? { aggregators: options.aggregators } : {}),
    });
    const localUrl = localAppUrl(host, app.port, !!options.tls);
    // The page may be opened under either name of the loopback address, or its public one.
    for (const origin of [localUrl, localUrl.replace('//localhost:', '//127.0.0.1:'), publicOrigin])
      if (origin) collector?.allowOrigin(origin);
    return {
      appUrl: publicOrigin ?? localUrl,
      localUrl,
      collectorUrl,
      collector,
      close: async () => {
        await app.close();
        await collector?.close();
      },
    };
  } catch (err) {
    await collector?.close();
    throw err;
  }
}

async function main(): Promise<void> {
  let command;
  try {
    command = await parseStartArgs(process.argv.slice(2), process.env);
  } catch (err) {
    console.error(`start: ${describeError(err).message}\n(npm start -- --help lists the flags)`);
    process.exit(2);
  }
  if (command.help) return void process.stdout.write(USAGE);
  const { options } = command;
  let launched;
  try {
    launched = await launch(options);
  } catch (err) {
    // A task the embedded collector cannot take (e.g. a codebook it does not have) is a usage error too.
    if (!isErrorNamed(err, 'InvalidTaskError')) throw err;
    console.error(`start: ${describeError(err).message}`);
    process.exit(2);
  }
  if (launched.collector && options.publicUrl?.startsWith('https:') && !options.tls)
    console.error(
      `start: browsers will open ${launched.appUrl} and send reports to ${launched.collectorUrl}, but both ` +
        'are served here over plain http: put an HTTPS proxy in front of them, or give --tls-cert and --tls-key',
    );
  console.error(
    `Obscura: ${launched.appUrl}  (` +
      (launched.appUrl === launched.localUrl ? '' : `served here at ${launched.localUrl}; `) +
      `reports go to ${launched.collectorUrl.replace(/\/$/, '')}/reports` +
      `${launched.collector ? ', the embedded collector' : ''}; Ctrl-C stops)`,
  );
  closeOnSignals('start', () => launched.close());
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    const { message } = describeError(err);
    console.error(
      `start: ${message}` +
        (/EADDRINUSE/.test(message) ? ' (is another npm start running? choose --port / --collector-port)' : ''),
    );
    process.exit(1);
  });
}
