/**
 * The collector's routes of federated training (src/codebook/train-rounds.ts lists them). Reads are
 * public, as the tasks are: every device reads the round and the head before it trains, and a
 * published version is a public codebook. Writes are the coordinator's, with its bearer token
 * (`trainToken`); a collector without one refuses them. Registered into any server by
 * `trainRouteHandler`, which answers the paths under /train/ and leaves every other path alone.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeError, ObscuraError } from '../src/errors';
import { closeRoundSchema, parseTrainMessage, type TrainStatus } from '../src/codebook/train-rounds';
import type { TrainTask } from '../src/codebook/train-task';
import { tokenMatches } from './access';
import { readBody, sendError, sendJson } from './http';
import type { TrainStore } from './train-store';

export interface TrainRoutesConfig {
  readonly tasks: ReadonlyMap<string, TrainTask>;
  readonly store: TrainStore;
  /** The coordinator's token; undefined: every write is refused. */
  readonly token: string | undefined;
  readonly now: () => Date;
}

/** Answers the request when its path is under /train/ (true), or leaves it (false). */
export type TrainRouteHandler = (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<boolean>;

const STATUS: Readonly<Record<string, number>> = {
  InvalidParameterError: 400,
  InvalidCodebookError: 400,
  RoundNotOpenError: 409,
  UnauthorizedError: 401,
};
const BODY_LIMIT = 8 * 1024 * 1024;

export function trainRouteHandler(config: TrainRoutesConfig): TrainRouteHandler {
  return async (req, res, pathname) => {
    if (!pathname.startsWith('/train/')) return false;
    try {
      await route(config, req, res, pathname);
    } catch (err) {
      const { name, message } = describeError(err);
      sendError(res, STATUS[name] ?? 500, name, message);
    }
    return true;
  };
}

async function route(config: TrainRoutesConfig, req: IncomingMessage, res: ServerResponse, pathname: string) {
  const parts = pathname.split('/').slice(2).map(decodeURIComponent);
  const method = req.method ?? 'GET';
  const task = config.tasks.get(parts[0] ?? '');
  if (!task)
    return sendError(
      res,
      404,
      'UndeclaredScopeError',
      `no training task ${JSON.stringify(parts[0])}; declared: ${[...config.tasks.keys()].join(', ') || 'none'}`,
    );
  const shape = parts
    .slice(1)
    .map((p, i) => (i === 1 && p !== 'close' ? ':n' : p))
    .join('/');
  const write = method === 'POST';
  if (method === 'OPTIONS') return sendJson(res, 204, undefined, { Allow: write ? 'POST' : 'GET, HEAD, OPTIONS' });
  if (write) {
    if (config.token === undefined || !tokenMatches(req, config.token))
      return sendError(res, 401, 'UnauthorizedError', "writes of training state need the coordinator's token");
  } else if (method !== 'GET' && method !== 'HEAD') {
    return sendError(res, 405, 'MethodNotAllowedError', `${pathname} accepts GET or POST, not ${method}`);
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
    return sendJson(res, 200, status);
  }
  if (!write && shape === 'versions/:n') {
    const which = parts[2]!;
    const found =
      which === 'latest' ? await store.latestVersion(task.scope) : await store.version(task.scope, integer(which));
    if (!found) return sendError(res, 404, 'NotFoundError', `task "${task.scope}" has no version ${which}`);
    return sendJson(res, 200, found);
  }
  if (!write && shape === 'rounds/:n') {
    const which = parts[2]!;
    const found =
      which === 'current' ? await store.latestRound(task.scope) : await store.round(task.scope, integer(which));
    if (!found) return sendError(res, 404, 'NotFoundError', `task "${task.scope}" has no round ${which}`);
    return sendJson(res, 200, found);
  }
  if (write && shape === 'rounds') return sendJson(res, 201, await store.openRound(task));
  if (write && shape === 'rounds/:n/close') {
    const body = await readBody(req, BODY_LIMIT);
    if (!body.ok) return sendError(res, 413, 'PayloadTooLargeError', `at most ${BODY_LIMIT} bytes`);
    let value: unknown;
    try {
      value = JSON.parse(body.text);
    } catch {
      throw new ObscuraError('InvalidParameterError', 'the body is not JSON');
    }
    const close = parseTrainMessage(closeRoundSchema, value, 'close');
    return sendJson(res, 200, await store.closeRound(task, integer(parts[2]!), close));
  }
  return sendError(res, 404, 'NotFoundError', `no endpoint ${method} ${pathname}`);
}

function integer(text: string): number {
  if (!/^\d{1,9}$/.test(text)) throw new ObscuraError('InvalidParameterError', `${text} is not a number`);
  return Number(text);
}
