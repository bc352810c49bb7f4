import { LitElement, html, css, nothing } from 'lit';
import { EngineBridge, ReleaseBridge, sampleVideoFrames } from '../client/index';
import type { EngineStatus, Extraction, LoadProgress } from '../client/index';
import { explainError } from './error-text';
import { sharedStyles } from './components/shared-styles';
import type { ResultItem } from './components/result-card';
import { categoryShown, DEMO_CODEBOOK } from './category-view';
import './components/capture-panel';
import './components/camera-panel';
import './components/batch-progress';
import './components/result-card';
import './components/engine-badge';
import './components/error-list';
import './components/privacy-controls';
import './components/budget-gauge';
import './components/ledger-view';
import './components/host-grants';
import './components/scope-settings';
import { describeAggregateScope, localGuaranteeBefore } from './components/aggregate-scope-text';
import { DEFAULT_SETTINGS, type PrivacySettings } from './components/privacy-controls';
import {
  isHostGrant,
  type BudgetChange,
  type BudgetOverview,
  type BudgetStatus,
  type DeviceBudget,
  type LedgerEntry,
  type ReleaseQuote,
  type ScopeConfig,
} from '../release/index';
import { releaseBlockedReason } from './release-view';
import { settingsForTask, taskOf, taskProblem, type CodebookUrls } from './declared-task';
import type { DeclaredTasks } from '../release/index';
import { fetchAppConfig } from './app-config';

/** The codebooks this app holds, by id: what a category task can name. */
const CODEBOOKS: CodebookUrls = { 'fashion-10': DEMO_CODEBOOK };

interface Batch {
  label: string;
  done: number;
  total: number;
  startedAt: number;
  controller: AbortController;
}

/** The page: capture, local preview, features, and (with the release path) what leaves. */
export class ObscuraApp extends LitElement {
  static override properties = {
    status: { state: true },
    loading: { state: true },
    loadProgress: { state: true },
    engineError: { state: true },
    results: { state: true },
    batch: { state: true },
    cameraOpen: { state: true },
    errors: { state: true },
    settings: { state: true },
    budget: { state: true },
    overview: { state: true },
    scope: { state: true },
    scopeConfigs: { state: true },
    ledger: { state: true },
    changes: { state: true },
    releasing: { state: true },
    quote: { state: true },
    tasks: { state: true },
  };
  declare status: EngineStatus | undefined;
  declare loading: boolean;
  declare loadProgress: LoadProgress | undefined;
  declare engineError: string;
  declare results: ResultItem[];
  declare batch: Batch | undefined;
  declare cameraOpen: boolean;
  declare errors: { id: number; text: string; key: string }[];
  declare settings: PrivacySettings;
  declare budget: BudgetStatus | undefined;
  declare overview: BudgetOverview | undefined;
  /** The scope releases are charged to. */
  declare scope: string;
  declare scopeConfigs: ScopeConfig[];
  declare ledger: LedgerEntry[];
  declare changes: BudgetChange[];
  declare releasing: string | undefined;
  /** The active scope's guarantees before a release, when it is aggregate-only (its local ε is shown by the button). */
  declare quote: ReleaseQuote | undefined;
  /** What the collector declares it takes (GET /tasks, cached by the release worker); undefined until read. */
  declare tasks: DeclaredTasks | undefined;
  private collectorUrl: string | undefined;
  private nextId = 1;
  private stopListening: (() => void) | undefined;
  /** The release worker needs no model: the budget and the ledger show while the model loads. */
  private readonly releases = new ReleaseBridge();
  private readonly bridge = new EngineBridge({
    onLoadProgress: (p) => (this.loadProgress = p),
    release: this.releases,
  });

  constructor() {
    super();
    this.loading = false;
    this.engineError = '';
    this.cameraOpen = false;
    this.results = [];
    this.errors = [];
    this.settings = DEFAULT_SETTINGS;
    this.ledger = [];
    this.changes = [];
    this.scope = 'default';
    this.scopeConfigs = [];
  }

  static override styles = [
    sharedStyles,
    css`
      :host {
        max-width: 1100px;
        margin: 0 auto;
        padding: 0.8rem;
      }
      header {
        display: flex;
        flex-wrap: wrap;
        justify-content: space-between;
        align-items: center;
        gap: 0.5rem;
        margin-bottom: 0.8rem;
      }
      h1 {
        font-size: 1.4rem;
        margin: 0;
      }
      main {
        display: grid;
        gap: 0.8rem;
      }
      .results {
        display: grid;
        gap: 0.6rem;
      }
      .controls {
        display: grid;
        gap: 0.8rem;
        grid-template-columns: repeat(auto-fit, minmax(280px, 1fr));
      }
      .empty {
        text-align: center;
        padding: 1.5rem;
      }
    `,
  ];

  /** Shows the budget and the ledger at once, and loads the model in its worker meanwhile. */
  override connectedCallback(): void {
    super.connectedCallback();
    // Every change of the budget or the ledger, from this tab or another, is pushed here.
    this.stopListening = this.releases.onChange(() => void this.refreshLedger());
    void this.loadConfig();
    void this.refreshLedger();
    this.loading = true;
    this.bridge
      .start()
      .then((s) => {
        this.status = s;
      })
      .catch((err: unknown) => {
        this.engineError = explainError(err);
        this.report(err);
      })
      .finally(() => (this.loading = false));
  }

  /** Where reports go: the server that serves the app says so in /config.json. */
  private async loadConfig(): Promise<void> {
    try {
      const res = await fetchAppConfig();
      if (res.ok) this.collectorUrl = ((await res.json()) as { collectorUrl?: string }).collectorUrl;
    } catch {
      // No config: releasing stays off and says why.
    }
    await this.loadTasks();
  }

  /** The collector's declared tasks: the controls then offer only what it takes. */
  private async loadTasks(): Promise<void> {
    if (!this.collectorUrl) return;
    try {
      this.tasks = await this.releases.declaredTasks(this.collectorUrl);
      this.fitSettings();
    } catch (err) {
      this.report(err);
    }
  }

  /** Moves the controls onto the active scope's task, keeping what it allows (the person's ε if declared). */
  private fitSettings(): void {
    const task = taskOf(this.tasks, this.scope);
    const fitted = task && settingsForTask(task, this.settings, CODEBOOKS);
    if (fitted) this.settings = fitted;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopListening?.();
  }

  private async refreshLedger(): Promise<void> {
    try {
      const [overview, ledger, changes, configs] = await Promise.all([
        this.releases.budgets(),
        this.releases.ledger(),
        this.releases.listBudgetChanges(),
        this.releases.scopes(),
      ]);
      this.scopeConfigs = configs;
      // The active scope is one that exists: another tab cannot remove one, but a fresh ledger may lack it.
      const active =
        overview.scopes.find((s) => s.scope === this.scope) ?? overview.scopes.find((s) => !isHostGrant(s.scope));
      if (active && active.scope !== this.scope) {
        this.scope = active.scope;
        this.fitSettings();
      }
      [this.overview, this.budget, this.ledger, this.changes] = [overview, active, ledger, changes];
      const aggregateOnly = configs.find((c) => c.name === this.scope)?.mode === 'aggregate-only';
      this.quote = aggregateOnly
        ? await this.releases.quote({
            scope: this.scope,
            mechanism: this.settings.mechanism,
            destination: this.collectorUrl ?? '',
          })
        : undefined;
    } catch (err) {
      this.report(err);
    }
  }

  async onRelease(item: ResultItem): Promise<void> {
    if (!item.contentHash || !this.collectorUrl) return;
    this.releasing = item.id;
    try {
      const { mechanism, dims, category } = this.settings;
      const common = { scope: this.scope, destination: this.collectorUrl };
      // The release worker already has this image's clean vector: nothing is decoded or run again.
      if (category) {
        const outcome = await this.releases.release(item.contentHash, {
          ...common,
          mechanism: { name: category.name, epsilon: mechanism.epsilon },
          codebook: category.codebook,
        });
        const shown = categoryShown(outcome);
        this.results = this.results.map((r) => (r.id === item.id ? { ...r, category: shown, released: true } : r));
        return;
      }
      const outcome = await this.releases.release(item.contentHash, {
        ...common,
        mechanism,
        ...(dims ? { dims } : {}),
      });
      // An aggregate-only release sends shares, no vector to show.
      const vector = outcome.kind === 'vector' ? (outcome.report as { vector: number[] }).vector : undefined;
      this.results = this.results.map((r) =>
        r.id === item.id ? { ...r, ...(vector ? { noisy: vector } : {}), cosine: outcome.cosine, released: true } : r,
      );
    } catch (err) {
      this.report(err);
    } finally {
      this.releasing = undefined;
    }
  }

  /** Runs one budget change; the release worker pushes the new state to every page, this one included. */
  private async change(run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (err) {
      this.report(err);
    }
  }

  /** The scopes the app's own releases may use: a host's grant is that host's alone. */
  private ownScopes(): string[] {
    return this.overview?.scopes.map((s) => s.scope).filter((s) => !isHostGrant(s)) ?? [this.scope];
  }

  /**
   * A scope the collector declares but this device has not created yet is created when the person
   * chooses it, with the "default" scope's budget (it still draws from the device-wide one).
   */
  private selectScope(name: string): void {
    if (this.ownScopes().includes(name)) {
      this.scope = name;
      this.fitSettings();
      void this.refreshLedger();
      return;
    }
    const like = this.scopeConfigs.find((c) => c.name === 'default');
    void this.createScope({
      name,
      totalEpsilon: like?.totalEpsilon ?? 10,
      window: like?.window ?? { kind: 'lifetime' },
    });
  }

  /**
   * The controls changed. Where the collector declares tasks, a mechanism the active scope's task
   * does not take moves the releases to the scope whose task does (each declared scope has one task).
   */
  private onSettings(next: PrivacySettings): void {
    this.settings = next;
    if (!this.tasks) return;
    const name = next.category?.name ?? next.mechanism.name;
    if (taskOf(this.tasks, this.scope)?.mechanism === name) return;
    const other = this.tasks.tasks.find((t) => t.mechanism === name && !t.aggregateOnly);
    if (other) this.selectScope(other.scope);
  }

  private async createScope(scope: ScopeConfig): Promise<void> {
    await this.change(async () => {
      await this.releases.createScope(scope);
      this.scope = scope.name;
      this.fitSettings();
    });
  }

  private releaseControl(r: ResultItem) {
    if (!r.contentHash) return html`<p class="muted">Videos are described locally; release single images.</p>`;
    // An aggregate-only scope charges its task's central ε, whatever the controls say.
    const aggregate = this.scopeConfigs.find((c) => c.name === this.scope)?.aggregate;
    const epsilon = aggregate?.epsilon ?? this.settings.mechanism.epsilon;
    const blocked = r.released
      ? undefined
      : (releaseBlockedReason(this.budget, epsilon, this.collectorUrl) ??
        (aggregate ? undefined : taskProblem(this.tasks, this.scope, this.settings, CODEBOOKS)));
    const reasonId = `why-${r.id}`;
    return html`<div class="row">
      <button
        class="primary"
        data-testid="release"
        ?disabled=${Boolean(blocked) || r.released === true || this.releasing !== undefined}
        aria-describedby=${blocked ? reasonId : ''}
        @click=${() => void this.onRelease(r)}
      >
        ${r.released ? 'Released' : this.releasing === r.id ? 'Releasing…' : `Release (ε ${epsilon})`}
      </button>
      ${blocked ? html`<span id=${reasonId} class="muted" data-testid="release-blocked">${blocked}</span>` : nothing}
      ${
        aggregate ? html`<p class="muted" data-testid="release-mode">${describeAggregateScope(aggregate)}</p>` : nothing
      }
      ${aggregate && this.quote?.scope === this.scope ? localGuaranteeBefore(this.quote) : nothing}
    </div>`;
  }

  /**
   * Shows an error once: a batch refused for a spent budget says so in one message, not
   * one per image; the newest of the same kind replaces the older.
   */
  private report(err: unknown): void {
    const name = (err as Error)?.name;
    if (name === 'AbortError') return;
    const text = explainError(err);
    const key = name === 'BudgetExhaustedError' ? name : text;
    this.errors = [...this.errors.filter((e) => e.key !== key), { id: this.nextId++, text, key }];
  }

  private add(extraction: Extraction, name: string, previewUrl: string, frames?: number): void {
    const item: ResultItem = {
      id: String(this.nextId++),
      name,
      previewUrl,
      clean: extraction.vector,
      dims: extraction.model.dims,
      backend: extraction.backend,
      ms: extraction.timings.decodeMs + extraction.timings.inferMs,
      ...(frames ? { frames } : { contentHash: extraction.contentHash }),
    };
    this.results = [item, ...this.results];
    if (this.settings.autoRelease && item.contentHash) void this.onRelease(item);
  }

  private startBatch(label: string, total: number): Batch {
    this.batch?.controller.abort();
    const batch = { label, done: 0, total, startedAt: performance.now(), controller: new AbortController() };
    this.batch = batch;
    return batch;
  }

  private progress(batch: Batch, done: number): void {
    if (this.batch === batch) this.batch = { ...batch, done };
  }

  private endBatch(batch: Batch): void {
    if (this.batch?.controller === batch.controller) this.batch = undefined;
  }

  async onImages(files: File[]): Promise<void> {
    const batch = this.startBatch(files.length > 1 ? 'Extracting images' : 'Extracting', files.length);
    try {
      for (let i = 0; i < files.length; i++) {
        if (batch.controller.signal.aborted) break;
        const file = files[i]!;
        try {
          const extraction = await this.bridge.extract(file, { signal: batch.controller.signal, name: file.name });
          this.add(extraction, file.name, URL.createObjectURL(file));
        } catch (err) {
          if ((err as Error).name === 'AbortError') break;
          this.report(err);
        }
        this.progress(batch, i + 1);
      }
    } finally {
      this.endBatch(batch);
    }
    this.status = (await this.bridge.status()) ?? this.status;
  }

  async onVideo(file: File): Promise<void> {
    const count = 8;
    const batch = this.startBatch('Reading video frames', count);
    try {
      const frames = await sampleVideoFrames(file, {
        count,
        signal: batch.controller.signal,
        onProgress: (done) => this.progress(batch, done),
      });
      const preview = await previewOf(frames[0]!);
      const result = await this.bridge.extractFrames(frames, { signal: batch.controller.signal });
      this.add({ ...result.frames[0]!, vector: result.pooled }, `${file.name}`, preview, result.frames.length);
    } catch (err) {
      this.report(err);
    } finally {
      this.endBatch(batch);
    }
  }

  async onSnapshot(frame: ImageBitmap): Promise<void> {
    try {
      const preview = await previewOf(frame);
      const extraction = await this.bridge.extract(frame, { name: 'camera snapshot' });
      this.add(extraction, `camera snapshot ${new Date().toLocaleTimeString()}`, preview);
    } catch (err) {
      this.report(err);
    }
  }

  private batchProgress() {
    const b = this.batch;
    if (!b) return nothing;
    return html`<batch-progress
      label=${b.label}
      .done=${b.done}
      .total=${b.total}
      .startedAt=${b.startedAt}
    ></batch-progress>`;
  }

  protected override render() {
    return html`
      <header>
        <h1>Obscura</h1>
        <engine-badge
          .status=${this.status}
          .progress=${this.loadProgress}
          ?loading=${this.loading}
          error=${this.engineError}
        ></engine-badge>
      </header>
      <main
        @images=${(e: CustomEvent<File[]>) => void this.onImages(e.detail)}
        @video=${(e: CustomEvent<File>) => void this.onVideo(e.detail)}
        @open-camera=${() => (this.cameraOpen = true)}
        @close-camera=${() => (this.cameraOpen = false)}
        @snapshot=${(e: CustomEvent<ImageBitmap>) => void this.onSnapshot(e.detail)}
        @camera-error=${(e: CustomEvent<unknown>) => {
          this.cameraOpen = false;
          this.report(e.detail);
        }}
        @cancel=${() => this.batch?.controller.abort()}
        @dismiss=${(e: CustomEvent<number>) => (this.errors = this.errors.filter((x) => x.id !== e.detail))}
      >
        <error-list .errors=${this.errors}></error-list>
        <capture-panel ?busy=${Boolean(this.batch)}></capture-panel>
        ${this.cameraOpen ? html`<camera-panel></camera-panel>` : nothing} ${this.batchProgress()}
        <div class="controls">
          <privacy-controls
            .settings=${this.settings}
            .task=${taskOf(this.tasks, this.scope)}
            .featureDims=${this.status?.model.dims ?? 96}
            codebook=${DEMO_CODEBOOK}
            .mechanisms=${this.tasks?.tasks.map((t) => t.mechanism)}
            @settings=${(e: CustomEvent<PrivacySettings>) => this.onSettings(e.detail)}
          ></privacy-controls>
          <budget-gauge
            .budget=${this.budget}
            .overview=${this.overview}
            @configure-scope=${(e: CustomEvent<ScopeConfig>) =>
              void this.change(() => this.releases.configureScope(e.detail))}
            @configure-device=${(e: CustomEvent<DeviceBudget>) =>
              void this.change(() => this.releases.configureDevice(e.detail))}
          ></budget-gauge>
          <scope-settings
            .scopes=${this.ownScopes()}
            .configs=${this.scopeConfigs}
            .declared=${this.tasks?.tasks.map((t) => t.scope)}
            active=${this.scope}
            @select-scope=${(e: CustomEvent<string>) => this.selectScope(e.detail)}
            @create-scope=${(e: CustomEvent<ScopeConfig>) => void this.createScope(e.detail)}
          ></scope-settings>
        </div>
        <section class="results" aria-label="results" aria-live="polite">
          ${
            this.results.length === 0
              ? html`<p class="card empty muted">No image yet. Nothing has been sent anywhere.</p>`
              : this.results.map((r) => html`<result-card .item=${r}>${this.releaseControl(r)}</result-card>`)
          }
        </section>
        <host-grants
          .overview=${this.overview}
          .entries=${this.ledger}
          @configure-scope=${(e: CustomEvent<ScopeConfig>) =>
            void this.change(() => this.releases.configureScope(e.detail))}
        ></host-grants>
        <ledger-view .entries=${this.ledger} .changes=${this.changes}></ledger-view>
      </main>
    `;
  }
}
customElements.define('obscura-app', ObscuraApp);

/** A local preview of a bitmap (before it is transferred to the worker). */
async function previewOf(bitmap: ImageBitmap): Promise<string> {
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
  return blob ? URL.createObjectURL(blob) : '';
}
