/**
 * The release path: clean vector in, charged and queued report out, then delivered.
 * Noise is drawn before the ledger transaction opens (an IndexedDB transaction
 * commits at the first await on anything else); if the charge is refused, the
 * drawn report is dropped here and never leaves the release worker. Every commit is
 * announced as one LedgerDelta (`onDelta`), so pages apply what changed rather than
 * asking for everything again.
 */
import { commitAggregateRelease, commitRelease } from '../ledger/commit-release';
import {
  changeScope,
  configureDevice,
  createScope,
  listBudgetChanges,
  listLedger,
  listScopes,
  readBudget,
  readScope,
  readBudgets,
} from '../ledger/ledger-queries';
import { VectorStore } from './vector-store';
import { openLedgerDb, type LedgerDb, type LedgerEntry } from '../ledger/ledger-schema';
import { memoKey, type MemoRelease } from '../ledger/memo-key';
import { ledgerPage, type LedgerPage, type LedgerQuery } from '../ledger/ledger-page';
import { ledgerHosts } from '../ledger/ledger-hosts';
import type { BudgetChange, BudgetOverview, BudgetStatus, ScopeConfig } from '../ledger/budget-policy';
import { OutboxScheduler } from '../outbox/outbox-scheduler';
import type { FlushResult } from '../outbox/reporter';
import { costOf, type Cost } from '../privacy/accountant';
import { invalidParameter } from '../privacy/errors';
import { CATEGORY_MECHANISMS } from '../privacy/mechanism';
import { cryptoRandomSource } from '../privacy/random/random-source';
import type { ModelRef } from '../model-ref';
import { privatizeFeatures } from '../report/privatize-features';
import { systemClock, type Clock } from './clock';
import { privatizeLabel } from '../codebook/category-report';
import type { Codebook } from '../codebook/codebook-schema';
import type { Report } from '../report/schema';
import type {
  AggregateReleaseOutcome,
  CategoryReleaseOptions,
  CategoryReleaseOutcome,
  CleanVector,
  DeviceBudget,
  LedgerDelta,
  ReleaseApi,
  ReleaseQuote,
  ReleaseOptions,
  ReleaseOutcome,
  VectorReleaseOptions,
  VectorReleaseOutcome,
} from './release-api';
import { LEDGER_CHANNEL } from './release-api';
import { ledgerDelta, type CommitChange } from './ledger-delta';
import { resolveCodebook } from './codebook-source';
import { reportCosine } from './report-cosine';
import type { drawAggregateRelease as DrawAggregateRelease, planFor as PlanFor } from './aggregate-release';
import { ObscuraError } from '../errors';
import type { TaskStamp } from '../ledger/ledger-schema';
import { indexedDbTaskCache } from '../outbox/task-cache';
import { TaskSource, type DeclaredTasks } from '../outbox/task-source';
import { TrainExamples } from '../ledger/train-examples';
import type { TrainTask } from '../codebook/train-task';
import { Training, type TrainExampleSummary, type TrainingOutcome, type TrainTaskRef } from './train-service';

export interface ReleaseServiceOptions {
  readonly clock?: Clock;
  /** Hears one delta per commit (default: posted on the ledger BroadcastChannel to every page of the origin). */
  readonly onDelta?: (delta: LedgerDelta) => void;
  /** Where the collectors' declared tasks are read and cached (default: fetched, cached in IndexedDB). */
  readonly tasks?: TaskSource;
}

/**
 * The release worker's object, exposed as it is (release.worker.ts, release.shared-worker.ts): the
 * ReleaseApi over the ledger, the outbox and the clean vectors the engine handed over.
 */
export class ReleaseService implements ReleaseApi {
  readonly vectors: VectorStore;
  private announced: Promise<void> = Promise.resolve();
  private db: Promise<LedgerDb> | undefined;
  private memos: Promise<unknown> = Promise.resolve();
  /** Settles when the release asked last has committed or failed (release()). */
  private turn: Promise<void> = Promise.resolve();
  private readonly clock: Clock;
  private readonly onDelta: (delta: LedgerDelta) => void;
  private readonly tasks: TaskSource;
  private readonly outbox: OutboxScheduler;
  private readonly training: Training;
  private readonly scopesFound = new WeakMap<LedgerDb, Map<string, ReleaseScope>>();

  constructor(options: ReleaseServiceOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.onDelta = options.onDelta ?? broadcastDelta();
    this.vectors = new VectorStore(this.clock);
    this.tasks = options.tasks ?? new TaskSource(indexedDbTaskCache(), undefined, () => this.clock.now());
    this.outbox = new OutboxScheduler({
      open: () => this.open(),
      clock: this.clock,
      onChange: (ids) => this.announce({ ids }),
      recheck: () => this.tasks.round(),
    });
    this.training = new Training({
      open: () => this.open(),
      vectors: this.vectors,
      examples: new TrainExamples(),
      clock: this.clock,
      announce: (entries) => this.announce({ entries }),
      flush: () => void this.flush().catch(() => undefined),
    });
    // Reports queued while offline leave as soon as the network is back.
    globalThis.addEventListener?.('online', () => void this.flush());
    // Reports left queued by an earlier page (closed, crashed, offline) go out now, model or not.
    void this.flush().catch(() => undefined);
  }

  trainingTasks(collector: string): Promise<TrainTask[]> {
    return this.training.tasks(collector);
  }

  addTrainExample(contentHash: string, task: TrainTaskRef, label: string): Promise<TrainExampleSummary> {
    return this.training.addExample(contentHash, task, label);
  }

  trainExamples(task: TrainTaskRef): Promise<TrainExampleSummary[]> {
    return this.training.listExamples(task);
  }

  removeTrainExamples(task: TrainTaskRef, ids?: readonly string[]): Promise<number> {
    return this.training.removeExamples(task, ids);
  }

  joinTrainingRound(task: TrainTaskRef): Promise<TrainingOutcome> {
    return this.training.joinRound(task);
  }

  refreshTrainingRounds(task: TrainTaskRef): Promise<LedgerEntry[]> {
    return this.training.refreshRounds(task);
  }

  /** A port on which an engine worker posts each extraction's clean vector. */
  acceptVectors(port: MessagePort): void {
    this.vectors.accept(port);
  }

  async discardVectors(contentHashes: readonly string[]): Promise<void> {
    this.vectors.discard(contentHashes);
  }

  flushOutbox(): Promise<FlushResult> {
    return this.flush();
  }

  /**
   * Tells every page what one commit changed: its entries (given, or read by id), the budgets from
   * the running sums and the number of entries, and the scopes when they changed. In commit order.
   */
  private announce(change: CommitChange): void {
    this.announced = this.announced
      .then(async () => this.onDelta(await ledgerDelta(await this.open(), change, this.clock.now())))
      .catch(() => undefined);
  }

  /**
   * What a release reads of its scope before drawing: its name, mode and aggregators. Kept per connection
   * once found, since a scope is never deleted and those are fixed when it is created (ledger-queries.ts);
   * its budget is read in the commit's transaction, which refuses a scope it does not find.
   */
  private async releaseScope(name: string): Promise<ReleaseScope> {
    const db = await this.open();
    let found = this.scopesFound.get(db);
    if (!found) this.scopesFound.set(db, (found = new Map()));
    const known = found.get(name);
    if (known) return known;
    const { mode, aggregate } = await readScope(db, name);
    const scope: ReleaseScope = { name, ...(mode ? { mode } : {}), ...(aggregate ? { aggregate } : {}) };
    found.set(name, scope);
    return scope;
  }

  private open(): Promise<LedgerDb> {
    this.db ??= openLedgerDb(undefined, () => (this.db = undefined)).catch((err: unknown) => {
      this.db = undefined;
      throw err;
    });
    return this.db;
  }

  release(contentHash: string, options: VectorReleaseOptions): Promise<VectorReleaseOutcome | AggregateReleaseOutcome>;
  release(contentHash: string, options: CategoryReleaseOptions): Promise<CategoryReleaseOutcome>;
  release(contentHash: string, options: ReleaseOptions): Promise<ReleaseOutcome>;
  async release(contentHash: string, options: ReleaseOptions): Promise<ReleaseOutcome> {
    // A place in line, taken as the release is asked: releases draw and check their tasks side by side,
    // but reach the ledger in the order they were asked, so of two releases of one image the first
    // charges and the second finds its memo, however their task checks and signatures interleave.
    const turn = this.turn;
    let done!: () => void;
    this.turn = new Promise<void>((resolve) => (done = resolve));
    try {
      const clean = await this.vectors.get(contentHash);
      return await this.releaseInTurn(clean, options, turn);
    } finally {
      done();
    }
  }

  private async releaseInTurn(
    clean: CleanVector,
    options: ReleaseOptions,
    turn: Promise<void>,
  ): Promise<ReleaseOutcome> {
    const scope = await this.releaseScope(options.grant ?? options.scope ?? 'default');
    if (scope.mode === 'aggregate-only') {
      if (options.grant !== undefined)
        throw invalidParameter('grant', 'a local scope (an aggregate-only scope is its own budget)', options.grant);
      return this.releaseAggregate(clean, scope, options, turn);
    }
    // The options cross a thread from untyped callers: a codebook goes with k-RR/OUE and only with them.
    const categorical = (CATEGORY_MECHANISMS as readonly string[]).includes(options.mechanism.name);
    if (categorical && options.codebook === undefined)
      throw invalidParameter(
        'codebook',
        `a codebook (object or URL) for mechanism ${options.mechanism.name}`,
        undefined,
      );
    if (!categorical && options.codebook !== undefined)
      throw invalidParameter('mechanism', 'krr or oue with a codebook', options.mechanism.name);
    if (options.codebook !== undefined) return this.releaseCategory(clean, options, turn);
    const report = privatizeFeatures(
      clean.vector,
      clean.model,
      {
        mechanism: options.mechanism,
        ...(options.dims !== undefined ? { dims: options.dims } : {}),
        scope: options.scope ?? 'default',
      },
      cryptoRandomSource,
      new Date(this.clock.now()),
    );
    const task = await this.checkTask(report, options);
    const memo = await this.memoKey(clean, localRelease(clean.model, options), options.host);
    await turn;
    const outcome = await this.commit(report, costOf(options.mechanism), options, memo, task);
    const vector = (outcome.report as { vector: number[] }).vector;
    return {
      ...outcome,
      kind: 'vector',
      cosine: reportCosine(clean.vector, vector, options.mechanism, options.dims),
    };
  }

  /**
   * Into an aggregate-only scope: the scope's task and aggregators decide (the options'
   * mechanism and destination do not); both shares are queued under one report id.
   */
  private async releaseAggregate(
    clean: CleanVector,
    scope: ReleaseScope,
    options: ReleaseOptions,
    turn: Promise<void>,
  ): Promise<AggregateReleaseOutcome> {
    const config = scope.aggregate!;
    const refuse = (parameter: string, why: string) =>
      new ObscuraError('InvalidParameterError', `scope "${scope.name}" is aggregate-only: ${why}`, {
        parameter,
        scope: scope.name,
      });
    if (options.send === false) throw refuse('send', 'its shares go to its two aggregators, never to the page');
    if (options.codebook !== undefined) throw refuse('codebook', 'it sums feature vectors, not categories');
    const db = await this.open();
    const drawn = await (await loadAggregateRelease())(clean.vector, config);
    const memoKey = await this.memoKey(
      clean,
      { kind: 'aggregate', model: clean.model, scope: scope.name, config },
      options.host,
    );
    await turn;
    const { entry, overview, ...outcome } = await commitAggregateRelease(db, {
      scope: scope.name,
      submission: drawn.submission,
      central: drawn.plan.central,
      local: drawn.plan.local,
      config,
      cost: drawn.cost,
      memoKey,
      now: this.clock.now(),
    });
    if (entry) this.announce({ entries: [entry], overview });
    void this.flush().catch(() => undefined);
    const aggregate = { central: drawn.plan.central, local: drawn.plan.local };
    return { ...outcome, kind: 'aggregate', cosine: drawn.cosine, aggregate };
  }

  /** A release's guarantees before it is made (ReleaseApi.quote): nothing drawn, charged or stored. */
  async quote(options: ReleaseOptions): Promise<ReleaseQuote> {
    const scope = await readScope(await this.open(), options.grant ?? options.scope ?? 'default');
    if (scope.mode === 'aggregate-only') {
      const plan = (await loadAggregatePlan())(scope.aggregate!);
      return { scope: scope.name, mode: 'aggregate-only', local: plan.local, central: plan.central };
    }
    const m = options.mechanism;
    const delta = 'delta' in m && typeof m.delta === 'number' ? m.delta : 0;
    return { scope: scope.name, mode: 'local', local: { epsilon: m.epsilon, delta } };
  }

  async scopes(): Promise<ScopeConfig[]> {
    return listScopes(await this.open());
  }

  /**
   * The codebook assigns a label to the clean vector here, in the release worker; k-RR or
   * OUE randomizes it and only that leaves. The assigned label goes back to the page that
   * asked (it has the clean vector already) and is never stored or sent.
   */
  private async releaseCategory(
    clean: CleanVector,
    options: CategoryReleaseOptions,
    turn: Promise<void>,
  ): Promise<CategoryReleaseOutcome> {
    const codebook: Codebook = await resolveCodebook(options.codebook);
    const { assigned, report } = privatizeLabel(
      clean.vector,
      clean.model,
      codebook,
      { mechanism: options.mechanism.name, epsilon: options.mechanism.epsilon, scope: options.scope ?? 'default' },
      cryptoRandomSource,
      new Date(this.clock.now()),
    );
    const { name, epsilon } = options.mechanism;
    const release = localRelease(clean.model, { ...options, mechanism: { name, epsilon } }, codebook.hash);
    const memo = await this.memoKey(clean, release, options.host);
    const task = await this.checkTask(report, options);
    const cost = costOf({ name, epsilon, k: codebook.labels.length });
    await turn;
    const outcome = await this.commit(report, cost, options, memo, task);
    return {
      ...outcome,
      kind: 'category',
      assigned,
      codebook: { id: codebook.id, hash: codebook.hash, labels: [...codebook.labels] },
    };
  }

  /** The one memo key of every kind of release (memo-key.ts): keyed by the device, never a hash of the pixels. */
  private async memoKey(clean: CleanVector, release: MemoRelease, host: string | undefined): Promise<string> {
    const db = await this.open();
    // One after the other, in call order (Web Crypto may finish two signatures in either order), so
    // concurrent releases reach the ledger's transaction in the order they were asked.
    const key = this.memos.then(() => memoKey(db, { contentHash: clean.contentHash, release, host }));
    this.memos = key.catch(() => undefined);
    return key;
  }

  /**
   * A report for a collector is checked against the task it declares for the scope before anything
   * is charged (task-source.ts): UndeclaredScopeError or TaskMismatchError, and the drawn report is
   * dropped here. A report handed to the page (`send: false`) has no collector to ask; one to be sent
   * where no collector's tasks can be read (a relative URL, which the sender's fetch would still resolve
   * and POST) is refused, InvalidParameterError, uncharged.
   */
  private async checkTask(report: Report, options: ReleaseOptions): Promise<TaskStamp | undefined> {
    if (options.send === false) return undefined;
    return this.tasks.check(options.destination, report);
  }

  /** The tasks the collector behind `destination` declares: what the app and the widget offer. */
  declaredTasks(destination: string): Promise<DeclaredTasks> {
    return this.tasks.declared(destination);
  }

  /** Charges and queues a drawn report in the ledger's one transaction, then wakes the sender for it. */
  private async commit(report: Report, cost: Cost, options: ReleaseOptions, memoKey: string, task?: TaskStamp) {
    const db = await this.open();
    const { entry, overview, ...outcome } = await commitRelease(db, {
      report,
      cost,
      destination: options.destination,
      ...(task ? { task } : {}),
      ...(options.send === false ? { queue: false } : {}),
      ...(options.grant !== undefined ? { budgetScope: options.grant } : {}),
      ...(options.host !== undefined ? { host: options.host } : {}),
      memoKey,
      now: this.clock.now(),
    });
    if (entry) this.announce({ entries: [entry], overview });
    // A report kept by the page (`send: false`) queues nothing: the sender has nothing new to wake for.
    if (options.send !== false) void this.flush().catch(() => undefined);
    return outcome;
  }

  async budget(scope = 'default'): Promise<BudgetStatus> {
    return readBudget(await this.open(), scope, this.clock.now());
  }

  async ledger(scope?: string): Promise<LedgerEntry[]> {
    return listLedger(await this.open(), scope);
  }

  async ledgerPage(query: LedgerQuery): Promise<LedgerPage> {
    return ledgerPage(await this.open(), query);
  }

  async ledgerHosts(): Promise<string[]> {
    return ledgerHosts(await this.open());
  }

  async budgets(): Promise<BudgetOverview> {
    return readBudgets(await this.open(), this.clock.now());
  }

  async createScope(scope: ScopeConfig): Promise<void> {
    await createScope(await this.open(), scope, this.clock.now());
    this.announce({ scopes: true });
  }

  async configureScope(scope: ScopeConfig): Promise<void> {
    await changeScope(await this.open(), scope, this.clock.now());
    this.announce({ scopes: true });
  }

  async configureDevice(budget: DeviceBudget): Promise<void> {
    await configureDevice(await this.open(), budget, this.clock.now());
    this.announce({});
  }

  async listBudgetChanges(): Promise<BudgetChange[]> {
    return listBudgetChanges(await this.open());
  }

  /** Sends what is due now; the outbox scheduler keeps the timer for the next retry. */
  flush(): Promise<FlushResult> {
    return this.outbox.flush();
  }
}

/** What a release reads of its scope before it commits (ReleaseService.releaseScope). */
type ReleaseScope = Pick<ScopeConfig, 'name' | 'mode' | 'aggregate'>;

/** A local release as its memo key names it (memo-key.ts). */
function localRelease(model: ModelRef, options: ReleaseOptions, codebookHash?: string): MemoRelease {
  return {
    kind: 'local',
    model,
    scope: options.scope ?? 'default',
    grant: options.grant,
    mechanism: options.mechanism,
    dims: options.dims,
    destination: options.destination,
    ...(codebookHash ? { codebookHash } : {}),
  };
}

/** Posts each delta on the ledger channel, which every page of this origin hears (not this worker itself). */
function broadcastDelta(): (delta: LedgerDelta) => void {
  if (typeof BroadcastChannel === 'undefined') return () => undefined;
  const channel = new BroadcastChannel(LEDGER_CHANNEL);
  return (delta) => channel.postMessage(delta);
}

/** A scope's calibration, from the same module (and cache) as its releases. */
function loadAggregatePlan(): Promise<typeof PlanFor> {
  return import('./aggregate-release').then((m) => m.planFor);
}

/** Prio3 and the Skellam sampler load with the first aggregate-only release: local-only pages never fetch them. */
function loadAggregateRelease(): Promise<typeof DrawAggregateRelease> {
  return import('./aggregate-release').then((m) => m.drawAggregateRelease);
}
