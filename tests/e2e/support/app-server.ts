import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { startStaticServer } from '../../../scripts/static-server';
import { startCollector, type TestCollector as Collector, type TestCollectorOptions } from '../../support/collector';
import { DEFAULT_CODEBOOKS_DIR } from '../../../collector/codebooks';
import type { CollectorOptions } from '../../../collector/server';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * The production build (dist/, made by `npm run build`) served exactly as `npm start`
 * serves it (COOP/COEP, CSP, /config.json), next to a fresh in-memory collector declaring
 * `options.tasks` (default: the app's own scopes, as `npm start`'s collector does).
 */
export async function startAppServer(
  /**
   * `tasks`: what the collector declares (default: the app's own scopes, as `npm start`'s);
   * `trainToken`: the coordinator's token for its training routes; `dist`: another build's dist/ (a bench's baseline).
   */
  options: {
    aggregators?: readonly string[];
    tasks?: TestCollectorOptions['tasks'];
    trainToken?: string;
    dist?: string;
  } = {},
): Promise<{ url: string; collector: Collector; close: () => Promise<void> }> {
  const dist = resolve(root, options.dist ?? 'dist');
  if (!existsSync(resolve(dist, 'index.html')))
    throw new Error(
      `${options.dist ?? 'dist/'} is missing: run "npm run build" first (the test runner does: scripts/run-tests.mjs)`,
    );
  // The collector must know the app's origin before the app server exists: reserve it by listening first.
  // Like `npm start`'s collector, it takes category reports of the project's codebooks only.
  const collector = await startCollector({
    allowedOrigins: [],
    codebooks: existsSync(DEFAULT_CODEBOOKS_DIR) ? DEFAULT_CODEBOOKS_DIR : new Map(),
    ...(options.tasks ? { tasks: options.tasks } : {}),
    ...(options.trainToken ? { trainToken: options.trainToken } : {}),
  });
  const app = await startStaticServer({
    root: dist,
    collectorUrl: collector.url,
    ...(options.aggregators ? { aggregators: options.aggregators } : {}),
  });
  collector.allowOrigin(app.url);
  return {
    url: app.url,
    collector,
    close: async () => {
      await app.close();
      await collector.close();
    },
  };
}
