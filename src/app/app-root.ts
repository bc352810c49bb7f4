import { LitElement, html, css, nothing, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { acceptedPictureSize, sampleVideoFrames } from '../client/index';
import type { BatchItem, EngineStatus, Extraction, LoadProgress } from '../client/index';
import { explainError } from './error-text';
import { sharedStyles } from './components/shared-styles';
import type { ResultItem } from './components/result-card';
import { categoryShown, DEMO_CODEBOOK } from './category-view';
import './components/capture-panel';
import './components/batch-progress';
import './components/result-card';
import './components/result-pager';
import { EarlyPreview, makeThumbnail, previewOf } from './thumbnail';
import { ShowInTurns } from './show-in-turns';
import { clampOffset, MAX_KEPT, PAGE_SIZE, PreviewUrls } from './result-window';
import './components/engine-badge';
import './components/error-list';
import './components/privacy-controls';
import type { LedgerView } from './components/ledger-view';
import type { TrainPhoto } from './components/training-panel';
import { defineLaterParts } from './later-parts';
import { nextFrame } from './after-paint';
import { describeAggregateScope, localGuaranteeBefore } from './components/aggregate-scope-text';
import { DEFAULT_SETTINGS, type PrivacySettings } from './components/privacy-controls';
import {
  isHostGrant,
  type BudgetChange,
  type BudgetOverview,
  type BudgetStatus,
  type DeviceBudget,
  type LedgerDelta,
  type LedgerQuery,
  type ReleaseQuote,
  type ScopeConfig,
  type TrainTask,
} from '../release/index';
import { releaseBlockedReason } from './release-view';
import { settingsForTask, taskOf, taskProblem, type CodebookUrls } from './declared-task';
import type { DeclaredTasks } from '../release/index';
import { fetchAppConfig } from './app-config';
import { markEngineSettled } from './engine-settled';
import { appEngine, appReleases, onEngineProgress } from './app-engine';

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
    offset: { state: true },
    batch: { state: true },
    cameraOpen: { state: true },
    errors: { state: true },
    settings: { state: true },
    budget: { state: true },
    overview: { state: true },
    scope: { state: true },
    scopeConfigs: { state: true },
    hosts: { state: true },
    changes: { state: true },
    releasing: { state: true },
    quote: { state: true },
    tasks: { state: true },
    trainTasks: { state: true },
  };
  declare status: EngineStatus | undefined;
  declare loading: boolean;
  declare loadProgress: LoadProgress | undefined;
  declare engineError: string;
  /** Every result kept, newest first; only the page at `offset` is in the DOM. */
  declare results: ResultItem[];
  declare offset: number;
  declare batch: Batch | undefined;
  declare cameraOpen: boolean;
  declare errors: { id: number; text: string; key: string }[];
  declare settings: PrivacySettings;
  declare budget: BudgetStatus | undefined;
  declare overview: BudgetOverview | undefined;
  /** The scope releases are charged to. */
  declare scope: string;
  declare scopeConfigs: ScopeConfig[];
  /** The widget hosts in the ledger, for the grants' table (the ledger view reads its own pages). */
  declare hosts: string[];
  declare changes: BudgetChange[];
  declare releasing: string | undefined;
  /** The active scope's guarantees before a release, when it is aggregate-only (its local ε is shown by the button). */
  declare quote: ReleaseQuote | undefined;
  /** What the collector declares it takes (GET /tasks, cached by the release worker); undefined until read. */
  declare tasks: DeclaredTasks | undefined;
  /** The training tasks the collector declares: the person may label photos for them and join their rounds. */
  declare trainTasks: readonly TrainTask[];
  private collectorUrl: string | undefined;
  private nextId = 1;
  private stopListening: (() => void) | undefined;
  /** The release worker needs no model: the budget and the ledger show while the model loads. */
  private readonly releases = appReleases;
  /** Object URLs of the previews on the shown page only. */
  private readonly previews = new PreviewUrls();
  private previewUrls: ReadonlyMap<string, string> = new Map();
  /** The ledger view's pages, read by index in the release worker. */
  private readonly ledgerSource = (query: LedgerQuery) => this.releases.ledgerPage(query);
  /** Started by the page's first lines (app-engine.ts), before this element existed. */
  private readonly bridge = appEngine;
  private stopProgress: (() => void) | undefined;

  constructor() {
    super();
    this.loading = false;
    this.engineError = '';
    this.cameraOpen = false;
    this.results = [];
    this.offset = 0;
    this.errors = [];
    this.settings = DEFAULT_SETTINGS;
    this.hosts = [];
    this.changes = [];
    this.scope = 'default';
    this.scopeConfigs = [];
    this.trainTasks = [];
  }

  static override styles = [
    sharedStyles,
    css`
      :host {
        max-width: 1100px;
        margin: 0 auto;
        padding: 0.8rem;
      }
      /* One line whatever the engine badge says: its states never move what is below. */
      header {
        display: grid;
        grid-template-columns: auto minmax(0, 1fr);
        align-items: center;
        gap: 0.5rem;
        min-height: 2.6rem;
        margin-bottom: 0.8rem;
      }
      h1 {
        font-size: 1.4rem;
        margin: 0;
      }
      engine-badge {
        justify-self: end;
        min-width: 0;
        max-width: 100%;
      }
      /* Progress floats over the page's foot instead of pushing the controls down while it lasts. */
      batch-progress {
        position: fixed;
        left: 0.8rem;
        right: 0.8rem;
        bottom: 0.8rem;
        z-index: 2;
        max-width: 30rem;
        margin: 0 auto;
        box-shadow: 0 2px 12px rgb(0 0 0 / 0.25);
        border-radius: 10px;
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
    // Every commit, from this tab or another, is pushed here as one delta: applied, nothing read again.
    this.stopListening = this.releases.onDelta((delta) => this.applyDelta(delta));
    this.stopProgress = onEngineProgress((p) => (this.loadProgress = p));
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
      .finally(() => {
        this.loading = false;
        this.settleWhenIdle();
      });
  }

  /**
   * Renders in the frame that will draw it: state that changes several times between two frames (worker
   * messages, progress) renders once, and the render shares its task with that frame's style and layout
   * instead of lengthening the task of each message.
   */
  protected override async scheduleUpdate(): Promise<void> {
    await nextFrame();
    super.scheduleUpdate();
  }

  /** The first screen is drawn: the parts below it and those that wait for the person follow, a few at a time. */
  protected override firstUpdated(): void {
    defineLaterParts().catch((err: unknown) => this.report(err));
  }

  /** The ledger view once its element is defined; until then there is none to tell (it reads its page when it is). */
  private ledgerView(): LedgerView | undefined {
    if (!customElements.get('ledger-view')) return undefined;
    return this.renderRoot.querySelector<LedgerView>('ledger-view') ?? undefined;
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
    // Training is optional: a collector out of reach was reported above, and offers no training then.
    this.trainTasks = await this.releases.trainingTasks(this.collectorUrl).catch(() => []);
  }

  /** Every kept image (not videos) the label picker offers, with its preview where it is shown. */
  private trainPhotos(): TrainPhoto[] {
    return this.results.flatMap((r) =>
      r.contentHash ? [{ name: r.name, contentHash: r.contentHash, ...this.previewOf(r.id) }] : [],
    );
  }

  private previewOf(id: string): { previewUrl?: string } {
    const url = this.previewUrls.get(id);
    return url ? { previewUrl: url } : {};
  }

  private trainingPanels() {
    const like = this.scopeConfigs.find((c) => c.name === 'default');
    const budget = () => ({
      totalEpsilon: like?.totalEpsilon ?? 10,
      window: like?.window ?? { kind: 'lifetime' as const },
    });
    return this.trainTasks.map(
      (t) =>
        html`<training-panel
          .releases=${this.releases}
          .scopeBudget=${budget}
          .task=${t}
          collector=${this.collectorUrl ?? ''}
          .photos=${this.trainPhotos()}
          ?scopeExists=${this.ownScopes().includes(t.scope)}
          @train-error=${(e: CustomEvent<unknown>) => this.report(e.detail)}
        ></training-panel>`,
    );
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
    this.stopProgress?.();
    this.previews.clear();
    // The images are no longer shown: their clean vectors need not wait for a release.
    this.discard(this.results);
  }

  /** The shown page's previews get object URLs; those that left it are revoked. */
  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('results') && !changed.has('offset')) return;
    this.offset = clampOffset(this.offset, this.results.length);
    this.previewUrls = this.previews.show(this.results.slice(this.offset, this.offset + PAGE_SIZE));
  }

  /**
   * Results that left the list for good: the release worker may let their clean vectors go
   * (a result still in the list keeps its vector, however long the batch).
   */
  private discard(items: readonly ResultItem[]): void {
    const hashes = items.flatMap((r) => (r.contentHash ? [r.contentHash] : []));
    if (hashes.length === 0) return;
    void this.releases.discardVectors(hashes).catch((err: unknown) => this.report(err));
  }

  private clearResults(): void {
    const gone = this.results;
    this.results = [];
    this.offset = 0;
    this.discard(gone);
  }

  /**
   * One commit's delta: the ledger view places its entries, the budgets are the running sums after it.
   * A budget change (no entries) also lists in the ledger, so only the list of changes is read then.
   */
  private applyDelta(delta: LedgerDelta): void {
    const scope = this.scope;
    if (delta.scopes) this.scopeConfigs = [...delta.scopes];
    this.showBudgets(delta.budgets);
    if (delta.scopes || this.scope !== scope) void this.refreshQuote().catch((err: unknown) => this.report(err));
    this.ledgerView()?.applyDelta(delta);
    // A host that releases for the first time joins the grants' table; their counts are in the budgets.
    const newHosts = delta.entries.flatMap((e) =>
      e.host !== undefined && !this.hosts.includes(e.host) ? [e.host] : [],
    );
    if (newHosts.length > 0) this.hosts = [...new Set([...this.hosts, ...newHosts])];
    if (delta.entries.length === 0) {
      void this.releases
        .listBudgetChanges()
        .then((changes) => (this.changes = changes))
        .catch((err: unknown) => this.report(err));
    }
  }

  /** The budgets shown, and the active scope one that exists. */
  private showBudgets(overview: BudgetOverview): void {
    const active =
      overview.scopes.find((s) => s.scope === this.scope) ?? overview.scopes.find((s) => !isHostGrant(s.scope));
    if (active && active.scope !== this.scope) {
      this.scope = active.scope;
      this.fitSettings();
    }
    [this.overview, this.budget] = [overview, active];
  }

  private async refreshLedger(): Promise<void> {
    try {
      // The ledger view re-reads only the page it shows.
      void this.ledgerView()?.refresh();
      const [overview, changes, configs, hosts] = await Promise.all([
        this.releases.budgets(),
        this.releases.listBudgetChanges(),
        this.releases.scopes(),
        this.releases.ledgerHosts(),
      ]);
      this.scopeConfigs = configs;
      // The active scope is one that exists: another tab cannot remove one, but a fresh ledger may lack it.
      this.showBudgets(overview);
      [this.hosts, this.changes] = [hosts, changes];
      await this.refreshQuote();
    } catch (err) {
      this.report(err);
    }
  }

  /** An aggregate-only scope's guarantees, shown before the click; none for a local scope. */
  private async refreshQuote(): Promise<void> {
    const aggregateOnly = this.scopeConfigs.find((c) => c.name === this.scope)?.mode === 'aggregate-only';
    this.quote = aggregateOnly
      ? await this.releases.quote({
          scope: this.scope,
          mechanism: this.settings.mechanism,
          destination: this.collectorUrl ?? '',
        })
      : undefined;
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

  /** The scopes releases may be charged to: a training task's scope takes only its rounds' shares. */
  private releaseScopes(): string[] {
    const training = new Set(this.trainTasks.map((t) => t.scope));
    return this.ownScopes().filter((s) => !training.has(s));
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
      // A new scope is rare: read its configuration and guarantees now rather than race its delta.
      await this.refreshLedger();
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

  private add(extraction: Extraction, name: string, preview: Blob, frames?: number): void {
    const item: ResultItem = {
      id: String(this.nextId++),
      name,
      preview,
      clean: extraction.vector,
      dims: extraction.model.dims,
      backend: extraction.backend,
      ms: extraction.timings.decodeMs + extraction.timings.inferMs,
      ...(frames ? { frames } : { contentHash: extraction.contentHash }),
    };
    const kept = [item, ...this.results];
    const gone = kept.length > MAX_KEPT ? kept.splice(MAX_KEPT) : [];
    this.results = kept;
    // Someone reading an older page keeps seeing the same results while new ones arrive.
    if (this.offset > 0) this.offset += 1;
    this.discard(gone);
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
    this.settleWhenIdle();
  }

  /** Once the engine has started and the images picked while it did have their features. */
  private settleWhenIdle(): void {
    if (!this.loading && !this.batch) markEngineSettled();
  }

  /**
   * One call for the whole batch: the engine decodes the next file while the network runs on this
   * one, and hands each result over as soon as it is ready. Results are added in the files' order.
   */
  async onImages(files: File[]): Promise<void> {
    const batch = this.startBatch(files.length > 1 ? 'Extracting images' : 'Extracting', files.length);
    let done = 0;
    let shown = Promise.resolve();
    const showing = new ShowInTurns(() => this.progress(batch, done));
    // The first picture's thumbnail is made while the engine reads it (on a first visit, while the engine starts).
    const first = files[0] ? new EarlyPreview(files[0], acceptedPictureSize(files[0])) : undefined;
    const onItem = (i: number, item: BatchItem) => {
      if (i === 0) performance.mark('obscura:app:first-item-heard');
      const file = files[i]!;
      const size = item.ok ? ([item.value.sourceWidth, item.value.sourceHeight] as const) : undefined;
      const preview = size
        ? (i === 0 && first ? first.forSize(...size) : previewOf(file, ...size)).catch(() => new Blob())
        : undefined;
      shown = shown.then(async () => {
        const thumbnail = await preview;
        showing.add(() => {
          if (item.ok) this.add(item.value, file.name, thumbnail!);
          else this.report(item.error);
          done++;
        });
      });
    };
    try {
      await this.bridge.extractEach(files, {
        signal: batch.controller.signal,
        names: files.map((f) => f.name),
        onItem,
      });
    } catch (err) {
      this.report(err);
    } finally {
      await shown;
      showing.flush();
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
      const preview = await makeThumbnail(frames[0]!);
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
      const preview = await makeThumbnail(frame);
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
            .scopes=${this.releaseScopes()}
            .configs=${this.scopeConfigs}
            .declared=${this.tasks?.tasks.map((t) => t.scope)}
            active=${this.scope}
            @select-scope=${(e: CustomEvent<string>) => this.selectScope(e.detail)}
            @create-scope=${(e: CustomEvent<ScopeConfig>) => void this.createScope(e.detail)}
          ></scope-settings>
        </div>
        <section class="results" aria-label="results" aria-live="polite" data-testid="results">
          ${
            this.results.length === 0
              ? html`<p class="card empty muted">No image yet. Nothing has been sent anywhere.</p>`
              : html`<result-pager
                    .offset=${this.offset}
                    .total=${this.results.length}
                    @page=${(e: CustomEvent<number>) => (this.offset = e.detail)}
                    @clear-results=${() => this.clearResults()}
                  ></result-pager>
                  ${repeat(
                    this.results.slice(this.offset, this.offset + PAGE_SIZE),
                    (r) => r.id,
                    (r) =>
                      html`<result-card .item=${r} .previewUrl=${this.previewUrls.get(r.id)}
                        >${this.releaseControl(r)}</result-card
                      >`,
                  )}`
          }
        </section>
        ${this.trainingPanels()}
        <host-grants
          .overview=${this.overview}
          .hosts=${this.hosts}
          @configure-scope=${(e: CustomEvent<ScopeConfig>) =>
            void this.change(() => this.releases.configureScope(e.detail))}
        ></host-grants>
        <ledger-view
          .source=${this.ledgerSource}
          .changes=${this.changes}
          .scopes=${this.overview?.scopes.map((s) => s.scope) ?? []}
        ></ledger-view>
      </main>
    `;
  }
}
customElements.define('obscura-app', ObscuraApp);
