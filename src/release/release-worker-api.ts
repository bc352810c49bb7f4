/** The release worker's object: the ReleaseApi over one ReleaseService and the vectors the engine handed over. */
import type {
  CleanVector,
  DeviceBudget,
  LedgerChange,
  LedgerQuery,
  ReleaseApi,
  ReleaseOptions,
  ScopeConfig,
} from './release-api';
import { LEDGER_CHANNEL } from './release-api';
import { ReleaseService, type ReleaseServiceOptions } from './release-service';
import { VectorStore } from './vector-store';

export class ReleaseWorker implements ReleaseApi {
  readonly vectors: VectorStore;
  readonly service: ReleaseService;
  private readonly channel: BroadcastChannel | undefined;

  constructor(options: Omit<ReleaseServiceOptions, 'onChange'> = {}) {
    this.channel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(LEDGER_CHANNEL);
    const message: LedgerChange = { kind: 'ledger-changed' };
    this.vectors = new VectorStore(options.clock);
    this.service = new ReleaseService({ ...options, onChange: () => this.channel?.postMessage(message) });
    // Reports left queued by an earlier page (closed, crashed, offline) go out now, model or not.
    void this.service.flush().catch(() => undefined);
  }

  async release(contentHash: string, options: ReleaseOptions) {
    const clean: CleanVector = await this.vectors.get(contentHash);
    return this.service.release(clean, options);
  }

  quote(options: ReleaseOptions) {
    return this.service.quote(options);
  }

  budget(scope?: string) {
    return this.service.budget(scope);
  }

  ledger(scope?: string) {
    return this.service.ledger(scope);
  }

  ledgerPage(query: LedgerQuery) {
    return this.service.ledgerPage(query);
  }

  budgets() {
    return this.service.budgets();
  }

  createScope(scope: ScopeConfig) {
    return this.service.createScope(scope);
  }

  configureScope(scope: ScopeConfig) {
    return this.service.configureScope(scope);
  }

  configureDevice(budget: DeviceBudget) {
    return this.service.configureDevice(budget);
  }

  scopes() {
    return this.service.scopes();
  }

  listBudgetChanges() {
    return this.service.listBudgetChanges();
  }

  declaredTasks(destination: string) {
    return this.service.declaredTasks(destination);
  }

  flushOutbox() {
    return this.service.flush();
  }

  acceptVectors(port: MessagePort): void {
    this.vectors.accept(port);
  }
}
