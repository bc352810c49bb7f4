/**
 * The collector's routes of federated training (src/codebook/train-rounds.ts lists them). Reads are
 * public, as the tasks are: every device reads the round and the head before it trains, and a
 * published version is a public codebook. Writes are the coordinator's, with its bearer token
 * (`trainToken`); a collector without one refuses them. Mounted by the collector as
 * `trainRoutes`: one route over /train/*.
 */
import type { Context } from 'hono';
import { describeError, ObscuraError } from '../src/errors';
import { closeRoundSchema, parseTrainMessage, type TrainStatus } from '../src/codebook/train-rounds';
import type { TrainTask } from '../src/codebook/train-task';
import { HttpError, readJson, type Route } from '../server-kit/index';
import { tokenMatches } from './access';
import type { TrainStore } from './train-store';

export interface TrainRoutesConfig {
  readonly tasks: ReadonlyMap<string, TrainTask>;
  readonly store: TrainStore;
  /** The coordinator's token; undefined: every write is refused. */
  readonly token: string | undefined;
  readonly now: () => Date;
}

const STATUS: Readonly<Record<string, 400 | 401 | 409>> = {
  InvalidParameterError: 400,
  InvalidCodebookError: 400,
  RoundNotOpenError: 409,
  UnauthorizedError: 401,
};
const BODY_LIMIT = 8 * 1024 * 1024;

/** The routes under /train/, answering each method themselves (reads are GET, writes POST). */
export function trainRoutes(config: TrainRoutesConfig): readonly Route[] {
  return [
    {
      path: '/train/*',
      any: async (c) => {
        try {
          return await route(config, c);
        } catch (err) {
          if (err instanceof HttpError) throw err;
          const status = err instanceof ObscuraError ? STATUS[err.name] : undefined;
          if (status === undefined) throw err;
          throw new HttpError(status, (err as ObscuraError).name, describeError(err).message);
        }
      },
    },
  ];
}

async function route(config: TrainRoutesConfig, c: Context): Promise<Response> {
  const pathname = new URL(c.req.url).pathname;
  const parts = pathname.split('/').slice(2).map(decodePart);
  const method = c.req.method;
  const task = config.tasks.get(parts[0] ?? '');
  if (!task)
    throw new HttpError(
      404,
      'UndeclaredScopeError',
      `no training task ${JSON.stringify(parts[0])}; declared: ${[...config.tasks.keys()].join(', ') || 'none'}`,
    );
  const shape = parts
    .slice(1)
    .map((p, i) => (i === 1 && p !== 'close' ? ':n' : p))
    .join('/');
  const write = method === 'POST';
  if (method === 'OPTIONS') {
    c.header('Allow', write ? 'POST' : 'GET, HEAD, OPTIONS');
    return c.body(null, 204);
  }
  if (write) {
    if (config.token === undefined || !tokenMatches(c.req.header('authorization'), config.token))
      throw new HttpError(401, 'UnauthorizedError', "writes of training state need the coordinator's token");
  } else if (method !== 'GET' && method !== 'HEAD') {
    throw new HttpError(405, 'MethodNotAllowedError', `${pathname} accepts GET or POST, not ${method}`);
  }
  const store = config.store;
  if (!write && shape === '') {
    const [version, round] = await Promise.all([store.latestVersion(task.scope), store.latestRound(task.scope)]);
    const status: TrainStatus = {
      task: task.scope,
      now: config.now().toISOString(),
      version: version.version,
      rounds: round?.round ?? 0,
      round,
    };
    return c.json(status);
  }
  if (!write && shape === 'versions/:n') {
    const which = parts[2]!;
    const found =
      which === 'latest' ? await store.latestVersion(task.scope) : await store.version(task.scope, integer(which));
    if (!found) throw new HttpError(404, 'NotFoundError', `task "${task.scope}" has no version ${which}`);
    return c.json(found);
  }
  if (!write && shape === 'rounds/:n') {
    const which = parts[2]!;
    const found =
      which === 'current' ? await store.latestRound(task.scope) : await store.round(task.scope, integer(which));
    if (!found) throw new HttpError(404, 'NotFoundError', `task "${task.scope}" has no round ${which}`);
    return c.json(found);
  }
  if (write && shape === 'rounds') return c.json(await store.openRound(task), 201);
  if (write && shape === 'rounds/:n/close') {
    const close = parseTrainMessage(closeRoundSchema, await readJson(c, BODY_LIMIT, 'InvalidParameterError'), 'close');
    return c.json(await store.closeRound(task, integer(parts[2]!), close));
  }
  throw new HttpError(404, 'NotFoundError', `no endpoint ${method} ${pathname}`);
}

function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new HttpError(400, 'InvalidParameterError', `${part} is not a path segment`);
  }
}

function integer(text: string): number {
  if (!/^\d{1,9}$/.test(text)) throw new ObscuraError('InvalidParameterError', `${text} is not a number`);
  return Number(text);
}
