/**
 * The release path's public entry for the page: the worker contract's types, and the
 * pure helpers the controls need. Everything else of the release path runs in its worker.
 */
export type {
  BudgetChange,
  BudgetOverview,
  BudgetStatus,
  AssignedLabel,
  CategoryMechanism,
  CategoryReleaseOptions,
  CategoryReleaseOutcome,
  CleanVector,
  Codebook,
  DeviceBudget,
  DeliveryState,
  FlushResult,
  DeclaredTasks,
  Task,
  LedgerDelta,
  LedgerEntry,
  LedgerPage,
  LedgerQuery,
  ReleaseApi,
  ReleaseOptions,
  ReleaseOutcome,
  ScopeConfig,
  TargetStatus,
  VectorMechanismParams,
  VectorReleaseOptions,
  VectorReleaseOutcome,
  WindowPolicy,
  AggregateScope,
  AggregateSubmission,
  AggregateCommitment,
  ReleaseQuote,
  Guarantee,
  ReleaseMode,
  TrainExampleSummary,
  TrainingOutcome,
  TrainTaskRef,
  TrainTask,
} from './release-api';
export { LEDGER_CHANNEL, isLedgerDelta } from './release-api';
export { cursorOf as ledgerCursorOf, parseCursor as parseLedgerCursor } from '../ledger/ledger-cursor';
export { expectedCosine } from '../privacy/mechanism';
export { EPSILON_MAX, EPSILON_MIN, DELTA_TARGET, APPROX_DELTA_MAX } from '../privacy/limits';
export { MIN_WINDOW_MS, MAX_TOTAL_EPSILON } from '../ledger/budget-policy';
export { DEFAULT_TRUST } from '../ledger/aggregate-scope';
export {
  GRANT_PREFIX,
  HOST_GRANT_EPSILON,
  escapeName,
  grantSite,
  hostGrantName,
  isHostGrant,
  siteOf,
  unescapeName,
} from './host-grant';
