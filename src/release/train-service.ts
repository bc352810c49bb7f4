/**
 * The release worker's side of federated training. The person labels their own images for a task
 * (`addTrainExample`: the clean vector the engine handed over, checked against the task's labels and
 * model before it is kept); when a round is open, `joinTrainingRound` computes the device's update on
 * the round's head, clips, quantises, noises and secret-shares it (train-release.ts), and charges it
 * in ONE ledger transaction that also queues both shares, before they can leave. The charge goes to
 * the task's scope (which the person creates, as any scope) and the device budget.
 *
 * One share a round: the memo key is the collector, task and round, so joining again (another tab,
 * a reload, a device that dropped out and came back) returns the recorded participation at no cost
 * and sends nothing new. A device that drops out mid-round loses nothing: its examples stay, its
 * shares wait in the outbox and leave when it is back, and if the round closed meanwhile they are
 * never summed. `refreshTrainingRounds` records each round's outcome on its ledger rows.
 */
import { ObscuraError } from '../errors';
import { parseCodebook } from '../codebook/load-codebook';
import { checkTrainExample } from '../codebook/train-examples';
import { parseTrainMessage, roundSchema, trainStatusSchema, versionSchema, type Round } from '../codebook/train-rounds';
import { parseTrainTask, trainDims, trainParticipations, type TrainTask } from '../codebook/train-task';
import { commitAggregateRelease } from '../ledger/commit-release';
import { DEFAULT_TRUST, type AggregateScope } from '../ledger/aggregate-scope';
import type { LedgerDb, LedgerEntry, TrainParticipation } from '../ledger/ledger-schema';
import type { StoredTrainExample, TrainExamples } from '../ledger/train-examples';
import type { BudgetStatus } from '../ledger/budget-policy';
import type { Guarantee } from '../privacy/aggregate/plan';
import type { Clock } from './clock';
import type { VectorStore } from './vector-store';

/**
 * Where a training task is declared: the collector's base URL (or its reports URL, `…/reports`, as
 * the app's configuration gives it) and the task's id (its scope).
 */
export interface TrainTaskRef {
  readonly collector: string;
  readonly task: string;
}

/** One of the person's examples, as listed (its features are not copied out). */
export interface TrainExampleSummary {
  readonly id: string;
  readonly label: string;
  /** The image it came from (the engine's content hash), when it was added from one. */
  readonly contentHash?: string;
  readonly addedAt: number;
}

export interface TrainingOutcome {
  /** False when this device's share of the round was already recorded: nothing new was charged or sent. */
  readonly charged: boolean;
  /** The ledger row (the share's report id). */
  readonly id: string;
  readonly round: number;
  readonly codebookVersion: number;
  /** Holds if the aggregators do not collude and the round held n_min honest devices: what was charged. */
  readonly central: Guarantee;
  /** This share alone, if they collude. */
  readonly local: Guarantee;
  readonly budget: BudgetStatus;
}

export interface TrainingDeps {
  readonly open: () => Promise<LedgerDb>;
  readonly vectors: VectorStore;
  readonly examples: TrainExamples;
  readonly clock: Clock;
  readonly announce: (entries: LedgerEntry[]) => void;
  readonly flush: () => void;
}

/** The trust statement a training row's central guarantee rests on. */
export const TRAIN_TRUST = `${DEFAULT_TRUST}, and the round held n_min honest devices`;

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { headers: { Accept: 'application/json' } });
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const error = (body as { error?: { name?: string; message?: string } } | undefined)?.error;
    throw new ObscuraError(
      error?.name === 'UndeclaredScopeError' ? 'UndeclaredScopeError' : 'InvalidTaskError',
      `${url}: HTTP ${res.status}${error?.message ? `: ${error.message}` : ''}`,
      { source: url },
    );
  }
  return body;
}

/** The collector's base URL: trailing slashes and a trailing `/reports` (its reports URL) dropped. */
const base = (collector: string) => collector.replace(/\/+$/, '').replace(/\/reports$/, '');

const summary = (e: StoredTrainExample): TrainExampleSummary => ({
  id: e.id,
  label: e.label,
  ...(e.contentHash === undefined ? {} : { contentHash: e.contentHash }),
  addedAt: e.addedAt,
});

export class Training {
  constructor(private readonly deps: TrainingDeps) {}

  /** The task as its collector declares it (GET /tasks/{id}). */
  async task(ref: TrainTaskRef): Promise<TrainTask> {
    const url = `${base(ref.collector)}/tasks/${encodeURIComponent(ref.task)}`;
    return parseTrainTask(((await getJson(url)) as { task?: unknown })?.task, url);
  }

  /** The training tasks the collector declares (GET /tasks, its `train` list); none: an empty list. */
  async tasks(collector: string): Promise<TrainTask[]> {
    const url = `${base(collector)}/tasks`;
    const declared = (await getJson(url)) as { train?: unknown } | undefined;
    const train = declared?.train ?? [];
    if (!Array.isArray(train))
      throw new ObscuraError('InvalidTaskError', `${url}: train is not a list`, { source: url });
    return train.map((t, i) => parseTrainTask(t, url, `train[${i}]`));
  }

  /** Keeps the image's clean vector with the person's label; refused (typed) outside the task's labels or model. */
  async addExample(contentHash: string, ref: TrainTaskRef, label: string): Promise<TrainExampleSummary> {
    const [task, clean] = await Promise.all([this.task(ref), this.deps.vectors.get(contentHash)]);
    const features = Array.from(clean.vector);
    checkTrainExample(task, { features, model: clean.model, label });
    const stored = await this.deps.examples.add({
      collector: base(ref.collector),
      task: task.scope,
      label,
      contentHash,
      model: clean.model,
      features,
      addedAt: this.deps.clock.now(),
    });
    return summary(stored);
  }

  /** The task's examples kept on this device, oldest first (labels and images; the features stay here). */
  async listExamples(ref: TrainTaskRef): Promise<TrainExampleSummary[]> {
    const all = await this.deps.examples.list(base(ref.collector), ref.task);
    return all.map(summary);
  }

  /** Removes the listed examples (by id) of the task, or all of them; resolves to how many went. */
  removeExamples(ref: TrainTaskRef, ids?: readonly string[]): Promise<number> {
    return this.deps.examples.remove(base(ref.collector), ref.task, ids);
  }

  /** This device's share of the open round, charged before it leaves (see the module comment). */
  async joinRound(ref: TrainTaskRef): Promise<TrainingOutcome> {
    const collector = base(ref.collector);
    const task = await this.task(ref);
    const trainUrl = `${collector}/train/${encodeURIComponent(task.scope)}`;
    const status = parseTrainMessage(trainStatusSchema, await getJson(trainUrl), 'training status');
    const round = status.round;
    if (!round || round.state !== 'open')
      throw new ObscuraError(
        'RoundNotOpenError',
        `task "${task.scope}" has no open round${round ? ` (round ${round.round} is ${round.state})` : ''}`,
        { task: task.scope },
      );
    const version = parseTrainMessage(
      versionSchema,
      await getJson(`${trainUrl}/versions/${round.headVersion}`),
      'version',
    );
    const head = await parseCodebook(version.codebook);
    const examples = await this.deps.examples.list(collector, task.scope);
    const db = await this.deps.open();
    // The user-level guarantee composes over the task's participations: a device joins no more rounds.
    const joined = new Set(
      (await db.getAllFromIndex('ledger', 'scope', task.scope))
        .map((e) => e.aggregate?.train)
        .filter((t) => t?.collector === collector && t.task === task.scope && t.round !== round.round)
        .map((t) => t!.round),
    );
    if (joined.size >= trainParticipations(task))
      throw new ObscuraError(
        'ParticipationLimitError',
        `this device has joined ${joined.size} rounds of task "${task.scope}", the most it allows`,
        { task: task.scope, participations: trainParticipations(task) },
      );
    // Prio3 loads with the first share, as for aggregate-only releases: other pages never fetch it.
    const { drawTrainShare } = await import('./train-release');
    const drawn = await drawTrainShare(collector, task, round, head, examples);
    const { entry, ...outcome } = await commitAggregateRelease(db, {
      scope: task.scope,
      submission: drawn.submission,
      central: drawn.central,
      local: drawn.local,
      config: aggregateScopeOf(task),
      cost: drawn.cost,
      memoKey: `train:${collector}:${task.scope}:${round.round}`,
      now: this.deps.clock.now(),
      train: drawn.participation,
    });
    if (entry) this.deps.announce([entry]);
    this.deps.flush();
    return {
      charged: outcome.charged,
      id: outcome.report.id,
      round: round.round,
      codebookVersion: round.headVersion,
      central: drawn.central,
      local: drawn.local,
      budget: outcome.budget,
    };
  }

  /**
   * Reads the outcome of every round this device took part in that its ledger does not yet record,
   * and writes it on the rows: released (with the devices summed and the version made) or expired.
   * Resolves to the rows changed.
   */
  async refreshRounds(ref: TrainTaskRef): Promise<LedgerEntry[]> {
    const collector = base(ref.collector);
    const db = await this.deps.open();
    const rows = (await db.getAllFromIndex('ledger', 'scope', ref.task)).filter(
      (e) => e.aggregate?.train?.collector === collector && e.aggregate.train.outcome === undefined,
    );
    const rounds = new Map<number, Round>();
    for (const r of new Set(rows.map((e) => e.aggregate!.train!.round))) {
      const url = `${collector}/train/${encodeURIComponent(ref.task)}/rounds/${r}`;
      const round = parseTrainMessage(roundSchema, await getJson(url), 'round');
      if (round.state !== 'open') rounds.set(r, round);
    }
    if (rounds.size === 0) return [];
    const seenAt = this.deps.clock.now();
    const tx = db.transaction('ledger', 'readwrite');
    const changed: LedgerEntry[] = [];
    for (const row of rows) {
      const round = rounds.get(row.aggregate!.train!.round);
      if (!round) continue;
      const current = await tx.store.get(row.id);
      const train = current?.aggregate?.train;
      if (!current || !train || train.outcome) continue;
      const outcome: NonNullable<TrainParticipation['outcome']> = {
        state: round.state as 'released' | 'expired',
        ...(round.count === undefined ? {} : { count: round.count }),
        ...(round.version === undefined ? {} : { version: round.version }),
        seenAt,
      };
      const next: LedgerEntry = { ...current, aggregate: { ...current.aggregate!, train: { ...train, outcome } } };
      await tx.store.put(next);
      changed.push(next);
    }
    await tx.done;
    if (changed.length > 0) this.deps.announce(changed);
    return changed;
  }
}

/** The aggregate configuration a training row records: the task's aggregators, n_min and per-round target. */
export function aggregateScopeOf(task: TrainTask): AggregateScope {
  return {
    leader: task.aggregators.leader,
    helper: task.aggregators.helper,
    nMin: task.nMin,
    trust: TRAIN_TRUST,
    epsilon: task.noise.epsilon,
    delta: task.noise.delta,
    dims: trainDims(task),
  };
}
