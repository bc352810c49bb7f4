import { transfer, wrap, type Endpoint, type Remote } from 'comlink';
import {
  LEDGER_CHANNEL,
  type BudgetChange,
  type BudgetOverview,
  type BudgetStatus,
  type DeviceBudget,
  type DeclaredTasks,
  type FlushResult,
  type LedgerChange,
  type LedgerEntry,
  type LedgerPage,
  type LedgerQuery,
  type ReleaseApi,
  type CategoryReleaseOptions,
  type CategoryReleaseOutcome,
  type ReleaseOptions,
  type ReleaseQuote,
  type ReleaseOutcome,
  type VectorReleaseOptions,
  type VectorReleaseOutcome,
  type ScopeConfig,
} from '../release/index';

export interface ReleaseBridgeOptions {
  /** Starts the release worker (default: the production entry); tests pass their own entry. */
  createWorker?: () => Worker;
  /**
   * Reaches a release service that runs elsewhere instead of starting a worker: the widget on
   * another site reaches the first-party one (a shared worker from its storage-access handle,
   * or Obscura's own window).
   */
  connect?: () => ReleaseConnection;
}

/** A way to a release service: its endpoint, how its changes are heard, and how to let go of it. */
export interface ReleaseConnection {
  readonly endpoint: Endpoint;
  /** Hears the ledger's "changed" where this page's own BroadcastChannel would be partitioned. */
  readonly onChange?: (listener: () => void) => () => void;
  close(): void;
}

function defaultReleaseWorker(): Worker {
  return new Worker(new URL('../release/release.worker.ts', import.meta.url), {
    type: 'module',
    name: 'obscura-release',
  });
}

/**
 * Owns the release worker: the budget, the ledger, the outbox and the sender. It
 * needs no model, so it starts at once; it releases what an engine joined to it
 * (EngineBridge's `release` option) has extracted, by content hash. Changes of the
 * budget or the ledger, made here or in any other tab, reach `onChange` listeners.
 */
export class ReleaseBridge {
  private worker: Worker | undefined;
  private remote: Remote<ReleaseApi> | undefined;
  private channel: BroadcastChannel | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly createWorker: () => Worker;
  private readonly connect: (() => ReleaseConnection) | undefined;
  private connection: ReleaseConnection | undefined;
  private stopConnectionListener: (() => void) | undefined;

  constructor(options: ReleaseBridgeOptions = {}) {
    this.createWorker = options.createWorker ?? defaultReleaseWorker;
    this.connect = options.connect;
  }

  /** The worker's remote API; starts the worker (or connects) on first use. */
  api(): Remote<ReleaseApi> {
    if (!this.remote) {
      if (this.connect) {
        this.connection = this.connect();
        this.remote = wrap<ReleaseApi>(this.connection.endpoint);
      } else {
        this.worker = this.createWorker();
        this.remote = wrap<ReleaseApi>(this.worker);
      }
    }
    return this.remote;
  }

  /**
   * Privatizes, charges and queues the clean vector of content the joined engine
   * extracted (`Extraction.contentHash`). Refusals reject with a named error
   * (BudgetExhaustedError, …) and spend nothing. With `codebook` and a k-RR/OUE mechanism the
   * worker assigns the label and releases it: the outcome has the assigned label (for this
   * page only) beside the report.
   */
  release(contentHash: string, options: VectorReleaseOptions): Promise<VectorReleaseOutcome>;
  release(contentHash: string, options: CategoryReleaseOptions): Promise<CategoryReleaseOutcome>;
  release(contentHash: string, options: ReleaseOptions): Promise<ReleaseOutcome>;
  release(contentHash: string, options: ReleaseOptions): Promise<ReleaseOutcome> {
    if (typeof options.codebook === 'string') {
      // The worker's own URL is not the page's: a relative codebook URL means the page's.
      const base = (globalThis as { location?: { href: string } }).location?.href;
      options = { ...options, codebook: new URL(options.codebook, base).href };
    }
    return this.api().release(contentHash, options);
  }

  /** What a release with these options would guarantee: its local ε, and an aggregate-only scope's central one. */
  quote(options: ReleaseOptions): Promise<ReleaseQuote> {
    return this.api().quote(options);
  }

  /** A scope's budget (default "default") with the device-wide one in `device`; UnknownScopeError if never created. */
  budget(scope?: string): Promise<BudgetStatus> {
    return this.api().budget(scope);
  }

  /** The device-wide budget and every scope's. */
  budgets(): Promise<BudgetOverview> {
    return this.api().budgets();
  }

  ledger(scope?: string): Promise<LedgerEntry[]> {
    return this.api().ledger(scope);
  }

  /** One page of the ledger by index, newest first, filtered by scope, host and state (see ReleaseApi). */
  ledgerPage(query: LedgerQuery): Promise<LedgerPage> {
    return this.api().ledgerPage(query);
  }

  /** Creates a scope with its own sub-budget; ScopeExistsError if it exists. Every open page is told. */
  createScope(scope: ScopeConfig): Promise<void> {
    return this.api().createScope(scope);
  }

  /** Changes an existing scope's total or window; UnknownScopeError if it was never created. */
  configureScope(scope: ScopeConfig): Promise<void> {
    return this.api().configureScope(scope);
  }

  /** Changes the device-wide total (e.g. grants more) or window, as a ledger entry that forgives no charge. */
  configureDevice(budget: DeviceBudget): Promise<void> {
    return this.api().configureDevice(budget);
  }

  /** Every scope's configuration (mode; an aggregate-only scope's aggregators, n_min and trust). */
  scopes(): Promise<ScopeConfig[]> {
    return this.api().scopes();
  }

  /** Every budget change ever made, newest first (the device's has target "@device"). */
  listBudgetChanges(): Promise<BudgetChange[]> {
    return this.api().listBudgetChanges();
  }

  flushOutbox(): Promise<FlushResult> {
    return this.api().flushOutbox();
  }

  /** The tasks the collector behind `destination` declares (cached on the device; see ReleaseApi). */
  declaredTasks(destination: string): Promise<DeclaredTasks> {
    return this.api().declaredTasks(destination);
  }

  /** Hands the release worker one end of a channel an engine worker posts clean vectors on. */
  acceptVectors(port: MessagePort): Promise<void> {
    return this.api().acceptVectors(transfer(port, [port]));
  }

  /** Calls `listener` whenever the budget or the ledger changes (any tab); returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    if (this.connect) {
      this.api();
      if (!this.stopConnectionListener && this.connection?.onChange)
        this.stopConnectionListener = this.connection.onChange(() => {
          for (const l of this.listeners) l();
        });
    } else if (!this.channel && typeof BroadcastChannel !== 'undefined') {
      this.channel = new BroadcastChannel(LEDGER_CHANNEL);
      this.channel.onmessage = (event: MessageEvent<LedgerChange>) => {
        if (event.data?.kind === 'ledger-changed') for (const l of this.listeners) l();
      };
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Terminates the worker now; pending calls reject. Reports stay queued for the next start. */
  stop(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.stopConnectionListener?.();
    this.stopConnectionListener = undefined;
    this.connection?.close();
    this.connection = undefined;
    this.remote = undefined;
    this.channel?.close();
    this.channel = undefined;
  }
}
