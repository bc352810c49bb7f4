import { transfer, wrap, type Endpoint, type Remote } from 'comlink';
import {
  LEDGER_CHANNEL,
  isLedgerDelta,
  type LedgerDelta,
  type ReleaseApi,
  type CategoryReleaseOptions,
  type CategoryReleaseOutcome,
  type ReleaseOptions,
  type ReleaseOutcome,
  type VectorReleaseOptions,
  type VectorReleaseOutcome,
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
  /** Hears the ledger's deltas where this page's own BroadcastChannel would be partitioned. */
  readonly onDelta?: (listener: (delta: LedgerDelta) => void) => () => void;
  /** Hears only that something changed, where no delta is relayed. */
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
 * The ReleaseApi calls the bridge forwards as they are, typed by the one contract (release and
 * acceptVectors need the page's help and are written out below).
 */
const FORWARDED = [
  'quote',
  'budget',
  'budgets',
  'ledger',
  'ledgerPage',
  'ledgerHosts',
  'createScope',
  'configureScope',
  'configureDevice',
  'scopes',
  'listBudgetChanges',
  'flushOutbox',
  'declaredTasks',
  'discardVectors',
  'trainingTasks',
  'addTrainExample',
  'trainExamples',
  'removeTrainExamples',
  'joinTrainingRound',
  'refreshTrainingRounds',
] as const satisfies readonly (keyof ReleaseApi)[];

type Forwarded = Pick<Remote<ReleaseApi>, (typeof FORWARDED)[number]>;

// The forwarded methods, defined on the prototype after the class.
export interface ReleaseBridge extends Forwarded {}

/**
 * Owns the release worker: the budget, the ledger, the outbox and the sender. It
 * needs no model, so it starts at once; it releases what an engine joined to it
 * (EngineBridge's `release` option) has extracted, by content hash. Every commit, made
 * here or in any other tab, reaches `onDelta` listeners as one LedgerDelta. The rest of
 * the ReleaseApi is forwarded as it is (FORWARDED).
 */
export class ReleaseBridge {
  private worker: Worker | undefined;
  private remote: Remote<ReleaseApi> | undefined;
  private channel: BroadcastChannel | undefined;
  private readonly deltaListeners = new Set<(delta: LedgerDelta) => void>();
  private readonly changeListeners = new Set<() => void>();
  private listening = false;
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

  /** Hands the release worker one end of a channel an engine worker posts clean vectors on. */
  acceptVectors(port: MessagePort): Promise<void> {
    return this.api().acceptVectors(transfer(port, [port]));
  }

  /**
   * Calls `listener` with each commit's delta (a release, a delivery, a withdrawal, a budget change), made
   * in this tab or any other; returns the unsubscribe. A connection that relays no deltas (Obscura's own
   * window, for a widget frame) has `hearsDeltas` false: listen with `onChange` and read what is needed.
   */
  onDelta(listener: (delta: LedgerDelta) => void): () => void {
    this.listen();
    this.deltaListeners.add(listener);
    return () => this.deltaListeners.delete(listener);
  }

  /** Calls `listener` whenever the budget or the ledger changes (any tab); returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.listen();
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Whether deltas reach `onDelta` listeners here (false only through a connection that relays none). */
  get hearsDeltas(): boolean {
    if (!this.connect) return true;
    this.api();
    return this.connection?.onDelta !== undefined;
  }

  private listen(): void {
    if (this.listening) return;
    this.listening = true;
    const heard = (delta?: LedgerDelta) => {
      if (delta) for (const l of this.deltaListeners) l(delta);
      for (const l of this.changeListeners) l();
    };
    if (this.connect) {
      this.api();
      const connection = this.connection;
      this.stopConnectionListener = connection?.onDelta
        ? connection.onDelta((delta) => heard(delta))
        : connection?.onChange?.(() => heard());
    } else if (typeof BroadcastChannel !== 'undefined') {
      this.channel = new BroadcastChannel(LEDGER_CHANNEL);
      this.channel.onmessage = (event: MessageEvent<unknown>) => {
        if (isLedgerDelta(event.data)) heard(event.data);
      };
    }
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
    this.listening = false;
  }
}

for (const name of FORWARDED)
  Object.defineProperty(ReleaseBridge.prototype, name, {
    value(this: ReleaseBridge, ...args: unknown[]) {
      return (this.api()[name] as (...a: unknown[]) => unknown)(...args);
    },
  });
