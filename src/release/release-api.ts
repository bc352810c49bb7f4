/**
 * The release worker's contract, as types only: the worker's object satisfies it and
 * the page imports it with `import type`, so no ledger or privacy code is needed to
 * call it.
 */
import type { ModelRef } from '../model-ref';
import type { CategoryMechanismName, VectorMechanismParams } from '../privacy/mechanism';
import type { AssignedLabel } from '../codebook/assign-label';
import type { Codebook } from '../codebook/codebook-schema';
import type {
  BudgetChange,
  BudgetOverview,
  BudgetStatus,
  ScopeConfig,
  TargetStatus,
  WindowPolicy,
} from '../ledger/budget-policy';
import type { AggregateSubmission, DeliveryState, LedgerEntry } from '../ledger/ledger-schema';
import type { AggregateCommitment } from '../ledger/share-commitment';
import type { LedgerPage, LedgerQuery } from '../ledger/ledger-page';
import type { AggregateScope, ReleaseMode } from '../ledger/aggregate-scope';
import type { Guarantee } from '../privacy/aggregate/plan';
import type { AggregateCommitOutcome, CommitOutcome } from '../ledger/commit-release';
import type { FlushResult } from '../outbox/reporter';
import type { DeclaredTasks } from '../outbox/task-source';
import type { Task } from '../report/task';
import type { TrainExampleSummary, TrainingOutcome, TrainTaskRef } from './train-service';
import type { TrainTask } from '../codebook/train-task';

export type {
  BudgetChange,
  BudgetOverview,
  BudgetStatus,
  ScopeConfig,
  TargetStatus,
  WindowPolicy,
  DeliveryState,
  LedgerEntry,
  LedgerPage,
  LedgerQuery,
  FlushResult,
  DeclaredTasks,
  Task,
  VectorMechanismParams,
  AssignedLabel,
  Codebook,
  CategoryMechanismName,
  AggregateScope,
  AggregateSubmission,
  AggregateCommitment,
  Guarantee,
  ReleaseMode,
  TrainExampleSummary,
  TrainingOutcome,
  TrainTaskRef,
  TrainTask,
};

/** The device-wide budget every scope draws from: its total and its window (lifetime, or rolling ≥ 1 day). */
export interface DeviceBudget {
  readonly totalEpsilon: number;
  readonly window: WindowPolicy;
}

interface CommonReleaseOptions {
  /** The report's scope (default "default"); its budget is charged unless `grant` names another. */
  readonly scope?: string;
  /**
   * The budget scope to charge instead of `scope`: a widget host's one grant, which all of that
   * host's scopes draw from. The report still carries `scope`.
   */
  readonly grant?: string;
  /** The origin of the page that embedded the widget; the ledger entry records it. */
  readonly host?: string;
  /** Where the reporter POSTs it (the collector's /reports URL), or, with `send: false`, where the page hands it. */
  readonly destination: string;
  /**
   * false: nothing is POSTed; the report is recorded as delivered to `destination` and
   * the page that asked hands it on (the widget gives it to its host page). Default true.
   */
  readonly send?: boolean;
}

/** A privatized feature vector (PrivUnit, Gaussian or Laplace). */
export interface VectorReleaseOptions extends CommonReleaseOptions {
  readonly mechanism: VectorMechanismParams;
  /** Public projection to this many dimensions first. */
  readonly dims?: number;
  readonly codebook?: undefined;
}

/** k-RR or OUE over a codebook of k labels; k comes from the codebook. */
export interface CategoryMechanism {
  readonly name: CategoryMechanismName;
  readonly epsilon: number;
}

/**
 * A category: the codebook assigns a label to the clean vector in the release worker and
 * only the randomized label leaves. The codebook must read the extraction's model
 * (CodebookMismatchError otherwise).
 */
export interface CategoryReleaseOptions extends CommonReleaseOptions {
  readonly mechanism: CategoryMechanism;
  /**
   * The codebook itself, or the URL of its JSON file (fetched once by the release worker;
   * relative URLs are resolved against the page). Its hash is checked either way.
   */
  readonly codebook: Codebook | string;
  readonly dims?: undefined;
}

export type ReleaseOptions = VectorReleaseOptions | CategoryReleaseOptions;

/** A vector release: the charge (or memo hit), the report and the budget after it. */
export type VectorReleaseOutcome = CommitOutcome & {
  readonly kind: 'vector';
  /** Cosine between the report's vector and the clean vector prepared the same way (normalised, projected). */
  readonly cosine: number;
};

/** A category release: the charge (or memo hit), the report and the budget after it. */
export type CategoryReleaseOutcome = CommitOutcome & {
  readonly kind: 'category';
  /**
   * The label the codebook assigned to the clean vector: for the person's eyes only. It is
   * not in the report, which holds only the randomized value (k-RR) or bits (OUE).
   */
  readonly assigned: AssignedLabel;
  /** The codebook's id, hash and labels, so the page can name what the report's value means. */
  readonly codebook: { readonly id: string; readonly hash: string; readonly labels: readonly string[] };
};

/**
 * A release into an aggregate-only scope (whatever the options' mechanism): two shares under one
 * report id, the central guarantee charged, the local one of the noise share alone recorded.
 */
export type AggregateReleaseOutcome = AggregateCommitOutcome & {
  readonly kind: 'aggregate';
  /** Cosine between this report's noisy values (de-offset, de-scaled) and the prepared clean vector. */
  readonly cosine: number;
  readonly aggregate: { readonly central: Guarantee; readonly local: Guarantee };
};

export type ReleaseOutcome = VectorReleaseOutcome | CategoryReleaseOutcome | AggregateReleaseOutcome;

/**
 * A release's guarantees, known before it is made (ReleaseApi.quote): what the person is shown
 * before the click, and what the outcome and the ledger entry then state.
 */
export interface ReleaseQuote {
  /** The budget scope the release would be charged to. */
  readonly scope: string;
  readonly mode: ReleaseMode;
  /**
   * What holds for this one report even if everyone who receives it colludes: the mechanism's own
   * (ε, δ) for a local scope; for an aggregate-only scope, this person's noise share alone (the
   * guarantee if the two aggregators collude, usually a far larger ε than the central one).
   */
  readonly local: Guarantee;
  /** Aggregate-only: what holds if the aggregators do not collude, for batches of at least n_min; the charge. */
  readonly central?: Guarantee;
}

/** One extraction's clean vector, as the engine worker hands it to the release worker. */
export interface CleanVector {
  readonly contentHash: string;
  readonly vector: Float32Array;
  readonly model: ModelRef;
}

/**
 * One message per commit (release, delivery state change, withdrawal, scope/device change), posted on
 * the ledger BroadcastChannel (and relayed where a page's own channel is partitioned): pages apply it
 * instead of reading the budgets and the ledger again.
 */
export interface LedgerDelta {
  readonly kind: 'ledger-delta';
  /** Entries added or changed by this commit (a release adds one; a delivery changes one). */
  readonly entries: readonly LedgerEntry[];
  /** The budgets after it, from the running sums (never recounted from the whole ledger). */
  readonly budgets: BudgetOverview;
  /** The number of ledger entries after it. */
  readonly ledgerCount: number;
  /** Present only when a scope was created or configured. */
  readonly scopes?: readonly ScopeConfig[];
}

export function isLedgerDelta(data: unknown): data is LedgerDelta {
  return (data as { kind?: unknown } | null)?.kind === 'ledger-delta';
}

export const LEDGER_CHANNEL = 'obscura-ledger-changes';

export interface ReleaseApi {
  /**
   * Privatizes the clean vector the engine extracted from that content, charges the
   * scope's budget and queues the report, in one transaction; or refuses
   * (BudgetExhaustedError, …) with nothing spent. The same content with the same
   * parameters returns the stored report at no cost.
   */
  release(contentHash: string, options: ReleaseOptions): Promise<ReleaseOutcome>;
  /**
   * What a release with these options would guarantee, asked before making it: nothing is drawn,
   * charged or stored. For an aggregate-only scope it states the local ε (if the aggregators
   * collude) beside the central one. An UnknownScopeError for a scope never created.
   */
  quote(options: ReleaseOptions): Promise<ReleaseQuote>;
  /**
   * A scope's budget (default "default") with the device-wide one in `device`; `remaining` is
   * the smaller of the two. An UnknownScopeError for a scope never created.
   */
  budget(scope?: string): Promise<BudgetStatus>;
  /** The device-wide budget and every scope's, in one read. */
  budgets(): Promise<BudgetOverview>;
  ledger(scope?: string): Promise<LedgerEntry[]>;
  /**
   * One page of the ledger, newest first, filtered by scope, host and state (all that are given), from
   * where the previous page's `next` left off; `total` counts the filter's entries. Reads by index: at
   * most `limit` (≤ 500) entries, whatever the ledger's size. InvalidParameterError for a bad limit or cursor.
   */
  ledgerPage(query: LedgerQuery): Promise<LedgerPage>;
  /**
   * The origins of the widget hosts that released, each once, sorted: one index step per host, however
   * long the ledger (its deltas' entries say which hosts release next).
   */
  ledgerHosts(): Promise<string[]>;
  /**
   * Creates a scope with its own sub-budget (it still draws from the device's): scopes are
   * created explicitly, by the person or the app's configuration, never by a release. With
   * `mode: 'aggregate-only'` and `aggregate` (two aggregators on two origins, n_min, the trust
   * assumption, the task's ε, δ and dims), its releases are secret-shared between the two.
   * A ScopeExistsError if that name was ever created; InvalidParameterError for a total
   * outside [0, 100] or a rolling window shorter than a day.
   */
  createScope(scope: ScopeConfig): Promise<void>;
  /** Changes an existing scope's total or window (a ledger entry; no charge is forgiven). UnknownScopeError if new. */
  configureScope(scope: ScopeConfig): Promise<void>;
  /**
   * Changes the device-wide budget: a raised total ("grant more") or another window, as a
   * ledger entry. Charges already made keep counting (budget-policy.ts).
   */
  configureDevice(budget: DeviceBudget): Promise<void>;
  /** Every scope's configuration: its mode and, for an aggregate-only scope, its aggregators, n_min and trust. */
  scopes(): Promise<ScopeConfig[]>;
  /** Every budget change ever made (the device's has target "@device"), newest first. */
  listBudgetChanges(): Promise<BudgetChange[]>;
  /** Sends what the outbox holds now (it also sends by itself on start, after releases and when online). */
  flushOutbox(): Promise<FlushResult>;
  /**
   * The tasks the collector behind `destination` (its /reports URL) declares, read from its
   * GET /tasks and cached on the device (`fresh: false`: the cached copy, the collector being
   * unreachable). A release to a collector is checked against its scope's task before it is
   * charged: UndeclaredScopeError or TaskMismatchError, nothing charged.
   */
  declaredTasks(destination: string): Promise<DeclaredTasks>;
  /** A port on which an engine worker posts each extraction's clean vector. */
  acceptVectors(port: MessagePort): void;
  /**
   * Lets go of the clean vectors of these contents (their images are no longer shown): until then a
   * vector waits for its release however many images came after it (up to a memory cap; a release of
   * a vector the cap evicted is a VectorExpiredError).
   */
  discardVectors(contentHashes: readonly string[]): Promise<void>;
  /** The training tasks the collector declares (its base URL or its `…/reports` URL); none: []. */
  trainingTasks(collector: string): Promise<TrainTask[]>;
  /**
   * Federated training (train-service.ts). Keeps the image's clean vector, on this device only, as
   * an example of `label` for the task; UnknownLabelError outside the task's labels,
   * CodebookMismatchError for features of another model, layer or size.
   */
  addTrainExample(contentHash: string, task: TrainTaskRef, label: string): Promise<TrainExampleSummary>;
  /** The task's examples kept on this device (labels, images' hashes and times; the features stay in the worker). */
  trainExamples(task: TrainTaskRef): Promise<TrainExampleSummary[]>;
  /** Removes the listed examples of the task, or all of them; resolves to how many went. */
  removeTrainExamples(task: TrainTaskRef, ids?: readonly string[]): Promise<number>;
  /**
   * This device's share of the task's open round: its update on the round's head, clipped, noised and
   * secret-shared, charged to the task's scope and the device budget before the shares leave.
   * RoundNotOpenError when no round is open; once a round, so asking again charges nothing.
   */
  joinTrainingRound(task: TrainTaskRef): Promise<TrainingOutcome>;
  /** Records on the ledger rows of this task the outcome of the rounds that closed; resolves to the rows changed. */
  refreshTrainingRounds(task: TrainTaskRef): Promise<LedgerEntry[]>;
}
