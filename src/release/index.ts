/**
 * The release path's public entry for the page: the worker contract's types, and the
 * pure helpers the controls need. Everything else of the release path runs in its worker.
 */
export type {
  BudgetStatus,
  CleanVector,
  DeliveryState,
  FlushResult,
  LedgerChange,
  LedgerEntry,
  ReleaseApi,
  ReleaseOptions,
  ReleaseOutcome,
  ScopeConfig,
  VectorMechanismParams,
} from './release-api';
export { LEDGER_CHANNEL } from './release-api';
export { expectedCosine } from '../privacy/mechanism';
