/**
 * The coordinator of a training task (`obscura train`): one step of its round schedule each call.
 *
 * - No round open: opens the next one on the latest version (or says the task is finished).
 * - A round open: asks the leader to prepare what was uploaded, then reads how many valid shares of
 *   this round it holds. With at least n_min, the leader batches them (the helper claims the same
 *   ids), both aggregate shares are fetched and added, de-quantised into the mean of the devices'
 *   clipped updates (with the round's noise), and the server optimizer applies it (DP-FedAvg; see
 *   train-task.ts for why not DP-FTRL). The collector then records the round as released and
 *   publishes version k + 1 in one transaction.
 * - Fewer than n_min once the round's time is over: the round is recorded as expired and nothing is
 *   released; its shares stay unbatched at the aggregators, which never sum them.
 *
 * Every released sum is post-processed only, so the coordinator spends no privacy of its own; the
 * user-level guarantee it reports is the per-round central guarantee composed over the rounds
 * released so far (a device is in at most one batch a round).
 */
import { ObscuraError } from '../errors';
import { parseCodebook, sealCodebook } from '../codebook/load-codebook';
import { headFromClassifier, headToClassifier, type LinearClassifier } from '../codebook/linear-head';
import { serverRound } from '../codebook/server-optimizer';
import {
  parseTrainMessage,
  roundIdPrefix,
  roundSchema,
  trainStatusSchema,
  versionSchema,
  type Round,
} from '../codebook/train-rounds';
import {
  parseTrainTask,
  trainParticipations,
  trainPlan,
  versionCodebookId,
  type TrainTask,
} from '../codebook/train-task';
import { composedCentral, type Guarantee } from '../privacy/aggregate/plan';
import { combineAggregateShares } from '../secure-aggregation/combine';

export interface CoordinatorOptions {
  /** The collector's base URL. */
  readonly collector: string;
  readonly task: string;
  /** The collector's coordinator token (its --train-token). */
  readonly collectorToken: string;
  /** The aggregators' analyst token. */
  readonly analystToken: string;
  /** A batch the leader already made for the open round, whose release a failed run did not record. */
  readonly batchId?: string;
}

export type CoordinatorAction = 'opened' | 'waiting' | 'released' | 'expired' | 'finished';

/** What one step did; printed as one JSON line by `obscura train` (its help lists the fields). */
export interface CoordinatorStep {
  readonly task: string;
  readonly action: CoordinatorAction;
  /** The round acted on (null when the task is finished before any round opened). */
  readonly round: number | null;
  /** The round's state after this step. */
  readonly state: Round['state'] | null;
  /** The version the round's devices train on. */
  readonly headVersion: number | null;
  /** The latest published version after this step. */
  readonly version: number;
  /** Valid shares of this round the leader holds (released: how many were summed). */
  readonly devices: number;
  readonly nMin: number;
  readonly closesAt: string | null;
  readonly batchId?: string;
  /** The version published by this step: its codebook id and hash. */
  readonly codebook?: { readonly id: string; readonly hash: string };
  readonly privacy: TrainPrivacy;
}

export interface TrainPrivacy {
  /** A round's central guarantee at zero-out neighbours: what each participation is charged. */
  readonly perRound: Guarantee;
  /** One device's share alone, if the aggregators collude. */
  readonly local: Guarantee;
  /**
   * User-level, over the rounds released so far (each device in at most one batch a round, in at most
   * the task's participations): `rounds` is the compositions counted.
   */
  readonly released: Guarantee & { readonly rounds: number };
  /** User-level, over every round the task schedules. */
  readonly scheduled: Guarantee & { readonly rounds: number };
  readonly accountant: string;
  readonly assumptions: readonly string[];
}

export const TRAIN_ASSUMPTIONS: readonly string[] = [
  'the leader and the helper do not collude',
  'every released round held at least n_min honest devices',
  'no sampling is claimed: who takes part in a round is not secret, so no amplification by sampling',
  "a device takes part at most once a round, in at most the task's participations (default: its rounds); " +
    "neighbours: one device's update removed",
];

type Fetch = typeof fetch;

async function call(
  url: string,
  init: RequestInit & { token?: string } = {},
  fetcher: Fetch = fetch,
): Promise<unknown> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (init.token) headers['Authorization'] = `Bearer ${init.token}`;
  const res = await fetcher(url, { ...init, headers });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const error = (body as { error?: { name?: string; message?: string } } | undefined)?.error;
    const name = error?.name === 'RoundNotOpenError' ? 'RoundNotOpenError' : 'InvalidParameterError';
    throw new ObscuraError(name, `${init.method ?? 'GET'} ${url}: HTTP ${res.status}: ${error?.message ?? text}`, {
      status: res.status,
      url,
      ...(error?.name ? { remote: error.name } : {}),
    });
  }
  return body;
}

export function trainPrivacy(task: TrainTask, releasedRounds: number): TrainPrivacy {
  const plan = trainPlan(task);
  // A device is in at most one batch a round and in at most the task's participations.
  const composed = (roundsRun: number): Guarantee & { rounds: number } => {
    const rounds = Math.min(roundsRun, trainParticipations(task));
    return rounds === 0 ? { epsilon: 0, delta: 0, rounds } : { ...composedCentral(plan, rounds), rounds };
  };
  return {
    perRound: plan.central,
    local: plan.local,
    released: composed(releasedRounds),
    scheduled: composed(task.rounds),
    accountant: 'Rényi DP of the summed Skellam noise, composed over rounds (privacy/aggregate/plan.ts)',
    assumptions: TRAIN_ASSUMPTIONS,
  };
}

/** The task as the collector declares it (GET /tasks/{id}). */
export async function fetchTrainTask(collector: string, id: string, fetcher: Fetch = fetch): Promise<TrainTask> {
  const url = `${collector}/tasks/${encodeURIComponent(id)}`;
  const body = (await call(url, {}, fetcher)) as { task?: unknown };
  return parseTrainTask(body?.task, url);
}

/** One step of the task's schedule (see the module comment). */
export async function coordinateStep(options: CoordinatorOptions, fetcher: Fetch = fetch): Promise<CoordinatorStep> {
  const collector = options.collector.replace(/\/+$/, '');
  const task = await fetchTrainTask(collector, options.task, fetcher);
  const base = `${collector}/train/${encodeURIComponent(task.scope)}`;
  const status = parseTrainMessage(trainStatusSchema, await call(base, {}, fetcher), 'training status');
  const releasedRounds = async () => {
    let n = 0;
    for (let r = 1; r <= status.rounds; r++) {
      const round = parseTrainMessage(roundSchema, await call(`${base}/rounds/${r}`, {}, fetcher), 'round');
      if (round.state === 'released') n++;
    }
    return n;
  };
  const step = (round: Round | null, action: CoordinatorAction, devices: number, released: number, extra = {}) => ({
    task: task.scope,
    action,
    round: round?.round ?? null,
    state: round?.state ?? null,
    headVersion: round?.headVersion ?? null,
    version: round?.version ?? status.version,
    devices,
    nMin: task.nMin,
    closesAt: round?.closesAt ?? null,
    ...extra,
    privacy: trainPrivacy(task, released),
  });

  const current = status.round;
  /** Closes the current round at the collector with `body` (its outcome), the coordinator's token. */
  const closeRound = async (body: object): Promise<Round> =>
    parseTrainMessage(
      roundSchema,
      await call(
        `${base}/rounds/${current!.round}/close`,
        { method: 'POST', token: options.collectorToken, body: JSON.stringify(body) },
        fetcher,
      ),
      'round',
    );
  if (current === null || current.state !== 'open') {
    if (status.rounds >= task.rounds) return step(current, 'finished', current?.count ?? 0, await releasedRounds());
    const opened = parseTrainMessage(
      roundSchema,
      await call(`${base}/rounds`, { method: 'POST', token: options.collectorToken, body: '{}' }, fetcher),
      'round',
    );
    return step(opened, 'opened', 0, await releasedRounds());
  }

  const { leader, helper } = task.aggregators;
  const prefix = roundIdPrefix(current.round);
  const analyst = { token: options.analystToken };
  let batchId = options.batchId;
  let count: number;
  if (batchId === undefined) {
    await call(`${leader}/prepare`, { method: 'POST', ...analyst, body: '{}' }, fetcher);
    const counts = (await call(`${leader}/rounds/${prefix}/status`, analyst, fetcher)) as {
      reports: { valid: number; batched: number };
    };
    const ready = counts.reports.valid - counts.reports.batched;
    const now = Date.parse(status.now);
    if (ready < task.nMin) {
      if (now < Date.parse(current.closesAt)) return step(current, 'waiting', ready, await releasedRounds());
      const reason = `${ready} of the ${task.nMin} devices a round needs sent valid shares before ${current.closesAt}`;
      const closed = await closeRound({ outcome: 'expired', count: ready, reason });
      return step(closed, 'expired', ready, await releasedRounds());
    }
    const batch = (await call(
      `${leader}/rounds/${prefix}/batches`,
      { method: 'POST', ...analyst, body: '{}' },
      fetcher,
    )) as {
      batchId: string;
      count: number;
    };
    batchId = batch.batchId;
    count = batch.count;
  }
  const shareOf = async (url: string) =>
    (await call(`${url}/batches/${encodeURIComponent(batchId!)}/aggregate-share`, analyst, fetcher)) as {
      count: number;
      aggregateShare: string;
    };
  const [l, h] = await Promise.all([shareOf(leader), shareOf(helper)]);
  if (l.count !== h.count)
    throw new ObscuraError(
      'InvalidParameterError',
      `the aggregators disagree on batch ${batchId}: ${l.count} vs ${h.count}`,
    );
  count = l.count;
  const plan = trainPlan(task);
  const { mean } = combineAggregateShares(plan, l.aggregateShare, h.aggregateShare, count);

  const published = parseTrainMessage(
    versionSchema,
    await call(`${base}/versions/${current.headVersion}`, {}, fetcher),
    'version',
  );
  const codebook = await parseCodebook(published.codebook);
  if (codebook.classifier.kind !== 'linear')
    throw new ObscuraError('InvalidCodebookError', `version ${current.headVersion} is not a linear head`);
  const next = serverRound(
    headFromClassifier(codebook.classifier as LinearClassifier),
    published.optimizer,
    mean,
    task.server,
    task.standardise,
  );
  const version = current.headVersion + 1;
  const sealed = await sealCodebook({
    v: 1,
    id: versionCodebookId(task, version),
    model: { ...task.model },
    labels: [...task.labels],
    input: 'l2-normalized',
    classifier: headToClassifier(next.head),
    description: `version ${version} of training task ${task.scope}: round ${current.round}, ${count} devices`,
  });
  const closed = await closeRound({
    outcome: 'released',
    batchId,
    count,
    codebook: sealed,
    optimizer: { velocity: Array.from(next.velocity), second: Array.from(next.second) },
  });
  return step(closed, 'released', count, await releasedRounds(), {
    batchId,
    codebook: { id: sealed.id, hash: sealed.hash },
  });
}
