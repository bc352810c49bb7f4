/**
 * The command line of `npm start`: its flags and environment variables made into LaunchOptions.
 * Anything wrong with them throws InvalidParameterError (a tasks file that does not parse:
 * InvalidTaskError), which start.ts reports with exit status 2.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadTasksFile } from '../collector/tasks';
import { readTlsCredentials } from '../server-kit/tls';
import { describeError, ObscuraError } from '../src/errors';
import { publicOriginOf } from './deploy-origins';
import type { LaunchOptions } from './start';

export const USAGE = `usage: npm start -- [flags]

  --port N                  port of the app (5173; env PORT)
  --collector-port N        port of the embedded collector (5174; env COLLECTOR_PORT)
  --host ADDR               interface the app and the embedded collector listen on (127.0.0.1;
                            0.0.0.0 for every IPv4 interface)
  --public-url URL          the app's public origin, e.g. https://obscura.example: printed as the
                            app's address and allowed at the embedded collector (CORS), which the app
                            then reaches under that name at --collector-port. Must be https (http only
                            for localhost, 127.x.x.x, [::1]): browsers give crypto.subtle, service
                            workers and storage access only to secure contexts.
  --tls-cert FILE           serve HTTPS with this PEM certificate (chain) and key; give both. The
  --tls-key FILE            embedded collector serves HTTPS with the same pair, since a page on https
                            cannot call an http collector on another host (mixed content).
  --frame-ancestors A,B     origins that may frame the widget page (its CSP frame-ancestors; any origin
                            by default; env WIDGET_ANCESTORS). --widget-ancestors is the same flag.
  --widget-endpoints A,B    collectors besides the embedded one a widget may send to (env WIDGET_ENDPOINTS)
  --aggregators A,B         leader and helper origins aggregate-only scopes send shares to (env AGGREGATORS)
  --collector URL           use this collector; none is embedded (env COLLECTOR_URL)
  --data DIR | --memory     database of the embedded collector (.data/collector)
  --read-token TOKEN        the embedded collector's reads (GET /reports, /aggregates, /stats, the dashboard's data)
                            need Authorization: Bearer TOKEN (env COLLECTOR_READ_TOKEN)
  --codebooks DIR           codebooks the embedded collector accepts category reports of (public/codebooks)
  --tasks FILE              tasks the embedded collector declares (GET /tasks) and takes reports of: a JSON
                            array of {"scope", "mechanism", "epsilon", "delta"?, "dims"?, "model"?,
                            "codebook"?, "aggregateOnly"?, "clip"?} (default: the app's own scopes)
  --skip-build              serve dist/ as it is, even if older than the sources
  --help                    print this
`;

export type StartCommand = { readonly help: true } | { readonly help: false; readonly options: LaunchOptions };

/** Reads `argv` (the arguments after `npm start --`) and `env`; reads the TLS files when given. */
export async function parseStartArgs(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<StartCommand> {
  const values = flagsOf(argv);
  if (values.help) return { help: true };
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined))
    throw usage('--tls-cert and --tls-key go together: give both (a PEM certificate and its key) or neither');
  if (values['frame-ancestors'] !== undefined && values['widget-ancestors'] !== undefined)
    throw usage('--frame-ancestors and --widget-ancestors are one flag under two names; give one');
  const collectorUrl = values.collector ?? env['COLLECTOR_URL'];
  for (const flag of ['read-token', 'codebooks', 'tasks'] as const)
    if (collectorUrl && values[flag] !== undefined)
      throw usage(`--${flag} configures the embedded collector, and with --collector ${collectorUrl} none is started`);
  const publicUrl = values['public-url'];
  if (publicUrl !== undefined) publicOriginOf(publicUrl, values['tls-cert'] !== undefined);
  const codebooks = values.codebooks === undefined ? undefined : resolve(values.codebooks);
  if (codebooks !== undefined && !statSync(codebooks, { throwIfNoEntry: false })?.isDirectory())
    throw usage(`--codebooks ${values.codebooks} is not a folder (of codebook .json files)`);
  const tasks = values.tasks === undefined ? undefined : resolve(values.tasks);
  // Read now, so a tasks file that does not parse stops the start before anything is built (exit 2).
  if (tasks !== undefined) await loadTasksFile(tasks);
  const ancestors = values['frame-ancestors'] ?? values['widget-ancestors'] ?? env['WIDGET_ANCESTORS'];
  const endpoints = values['widget-endpoints'] ?? env['WIDGET_ENDPOINTS'];
  const aggregators = values.aggregators ?? env['AGGREGATORS'];
  const readToken = values['read-token'] ?? (collectorUrl ? undefined : env['COLLECTOR_READ_TOKEN']);
  const tls =
    values['tls-cert'] !== undefined && values['tls-key'] !== undefined
      ? await readTlsCredentials(values['tls-cert'], values['tls-key'])
      : undefined;
  return {
    help: false,
    options: {
      port: portOf('--port', values.port ?? env['PORT'] ?? '5173'),
      collectorPort: portOf('--collector-port', values['collector-port'] ?? env['COLLECTOR_PORT'] ?? '5174'),
      ...(values.host ? { host: values.host } : {}),
      ...(publicUrl ? { publicUrl } : {}),
      ...(tls ? { tls } : {}),
      ...(collectorUrl ? { collectorUrl } : {}),
      ...(values.data ? { dataDir: resolve(values.data) } : {}),
      inMemory: values.memory ?? false,
      build: values['skip-build'] ? false : 'auto',
      ...(readToken ? { readToken } : {}),
      ...(codebooks ? { codebooks } : {}),
      ...(tasks ? { tasks } : {}),
      ...(ancestors ? { widgetAncestors: originList(ancestorsSource(values), ancestors) } : {}),
      ...(endpoints ? { widgetEndpoints: endpoints.split(',') } : {}),
      ...(aggregators ? { aggregators: aggregators.split(',') } : {}),
    },
  };
}

const FLAGS = {
  port: { type: 'string' },
  'collector-port': { type: 'string' },
  host: { type: 'string' },
  'public-url': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'frame-ancestors': { type: 'string' },
  'widget-ancestors': { type: 'string' },
  'widget-endpoints': { type: 'string' },
  aggregators: { type: 'string' },
  collector: { type: 'string' },
  data: { type: 'string' },
  memory: { type: 'boolean' },
  'read-token': { type: 'string' },
  codebooks: { type: 'string' },
  tasks: { type: 'string' },
  'skip-build': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function flagsOf(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: FLAGS }).values;
  } catch (err) {
    throw usage(describeError(err).message);
  }
}

function usage(message: string): ObscuraError {
  return new ObscuraError('InvalidParameterError', message);
}

function portOf(flag: string, value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535)
    throw usage(`${flag} ${value} is not a port (0 to 65535; 0 picks a free one)`);
  return port;
}

/** Where the list of frame ancestors came from, to name it in an error. */
function ancestorsSource(values: { 'frame-ancestors'?: string; 'widget-ancestors'?: string }): string {
  if (values['frame-ancestors'] !== undefined) return '--frame-ancestors';
  return values['widget-ancestors'] !== undefined ? '--widget-ancestors' : 'WIDGET_ANCESTORS';
}

/** A comma-separated list of origins (or `*`), each checked to be a URL. */
function originList(flag: string, value: string): string[] {
  const list = value.split(',').map((s) => s.trim());
  for (const item of list)
    if (item !== '*' && !URL.canParse(item))
      throw usage(`${flag}: ${item} is not an origin (expected e.g. https://shop.example, or *)`);
  return list;
}
