import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { EngineBridge, ReleaseBridge } from '../../client/index';
import {
  HOST_GRANT_EPSILON,
  hostGrantName,
  type BudgetStatus,
  type LedgerDelta,
  type LedgerEntry,
  type ReleaseQuote,
} from '../../release/index';
import { isErrorNamed } from '../../errors';
import { explainError } from '../../app/error-text';
import { sharedStyles } from '../../app/components/shared-styles';
import { releasesLeft } from '../../app/components/budget-words';
import '../../app/components/capture-panel';
import '../../app/components/privacy-controls';
import '../../app/components/ledger-view';
import { DEFAULT_SETTINGS, type PrivacySettings } from '../../app/components/privacy-controls';
import type { WidgetConfig } from '../protocol';
import { HostLink } from './host-link';
import { hostScopeName } from './host-scope';
import { ReleaseGuard } from './release-guard';
import { widgetReleaseOptions } from './widget-release';
import { widgetTaskError } from './widget-task';
import {
  refusedSuggestionError,
  trainChoice,
  widgetTrainRef,
  widgetTrainTask,
  type WidgetTrainTask,
} from './widget-train';
import { suggestionNoticeView, trainRowView } from './widget-train-views';
import { FirstPartyAccess, type AccessState } from './first-party-access';
import {
  accessNoteView,
  consentView,
  localGuaranteeView,
  releaseRowView,
  widgetFrameStyles,
  type Picked,
} from './widget-frame-views';

/**
 * The widget inside its iframe: the app's capture, privacy and release controls in compact
 * form, for one host origin. The host configures it; the person allows the host's site its one
 * grant and releases, by clicks the release guard accepts. It works only on the app origin's
 * first-party store (see FirstPartyAccess), never on the frame's partitioned storage.
 */
export class WidgetFrame extends LitElement {
  static override properties = {
    access: { state: true },
    config: { state: true },
    settings: { state: true },
    budget: { state: true },
    granted: { state: true },
    entries: { state: true },
    picked: { state: true },
    armed: { state: true },
    notice: { state: true },
    errors: { state: true },
    busy: { state: true },
    quote: { state: true },
    trainTask: { state: true },
  };
  declare access: AccessState;
  declare config: WidgetConfig;
  declare settings: PrivacySettings;
  declare budget: BudgetStatus | undefined;
  declare granted: boolean | undefined;
  declare entries: LedgerEntry[];
  declare picked: Picked[];
  declare armed: boolean;
  declare notice: string;
  declare errors: string[];
  declare busy: boolean;
  /** What the next release would guarantee, asked of the release worker before the click. */
  declare quote: ReleaseQuote | undefined;
  /** The training task the host named, as its collector declares it; picked images may be labelled for it. */
  declare trainTask: WidgetTrainTask | undefined;
  private allowedEndpoints: readonly string[] = [];
  private nextId = 1;
  private lastTold = '';
  /** The attributes and endpoint last checked against the collector's tasks, so each is told once. */
  private taskChecked = '';
  /** The same, for the training task and the suggested label. */
  private trainChecked = '';
  private stopListening: (() => void) | undefined;
  /** Reached only once the frame has first-party storage (see FirstPartyAccess). */
  private releases: ReleaseBridge | undefined;
  private engine: EngineBridge | undefined;
  private readonly firstParty: FirstPartyAccess;
  private readonly guard = new ReleaseGuard({ onArmedChange: (armed) => (this.armed = armed) });

  constructor(
    private readonly link: HostLink,
    private readonly endpointsLoaded: Promise<readonly string[]>,
    private readonly ancestors: readonly string[] | undefined,
  ) {
    super();
    this.access = { kind: 'checking' };
    this.firstParty = new FirstPartyAccess(link.hostOrigin, (state) => this.onAccess(state));
    this.config = {};
    this.settings = DEFAULT_SETTINGS;
    this.entries = [];
    this.picked = [];
    this.armed = false;
    this.notice = '';
    this.errors = [];
    this.busy = false;
  }

  static override styles = [sharedStyles, widgetFrameStyles];

  private get hostOrigin(): string {
    return this.link.hostOrigin;
  }

  private scopeName(): string {
    return hostScopeName(this.hostOrigin, this.config.scope);
  }

  /** Every scope of this host's site draws from this one grant. */
  private get grantName(): string {
    return hostGrantName(this.hostOrigin);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.endpointsLoaded.then((list) => (this.allowedEndpoints = list));
    void this.firstParty.start(this.ancestors).catch((err: unknown) => this.fail(err));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.disconnectRelease();
    this.guard.disconnect();
  }

  /** First-party storage reached (start the bridges on it) or lost (Obscura's window closed). */
  private onAccess(state: AccessState): void {
    this.access = state;
    if (state.kind !== 'connected') return this.disconnectRelease();
    if (this.releases) return;
    const connection = state.connection;
    this.releases = new ReleaseBridge(connection ? { connect: () => connection } : {});
    this.engine = new EngineBridge({ release: this.releases });
    // Deltas where they reach this frame (its first-party channel); otherwise a "changed" signal and a read.
    this.stopListening = this.releases.hearsDeltas
      ? this.releases.onDelta((delta) => this.applyDelta(delta))
      : this.releases.onChange(() => void this.refresh());
    void this.refresh();
    void this.checkTask();
    void this.loadTrainTask();
    this.engine.start().catch((err: unknown) => this.fail(err));
  }

  private disconnectRelease(): void {
    this.stopListening?.();
    this.stopListening = undefined;
    this.engine?.stop();
    this.releases?.stop();
    this.engine = undefined;
    this.releases = undefined;
    // The vectors of photos picked so far lived in the service that is gone; calls on it never settle.
    this.picked = [];
    this.granted = undefined;
    this.busy = false;
  }

  /**
   * New or changed buttons start unarmed and must stay visible for the arming delay; the guard
   * watches the buttons' own block, not the whole widget, so opened details below do not disarm them.
   */
  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('picked') && !changed.has('granted') && !changed.has('access')) return;
    const actions = this.renderRoot.querySelector('.actions');
    if (!actions) return;
    this.armed = false;
    this.guard.observe(actions);
  }

  /** The host's configuration, already checked against the schema. */
  configure(config: WidgetConfig): void {
    this.config = config;
    if (config.theme)
      document.documentElement.style.colorScheme = config.theme === 'auto' ? 'light dark' : config.theme;
    void this.refresh(true);
    void this.checkTask();
    void this.loadTrainTask();
  }

  /**
   * With an endpoint, the attributes are checked against the task its collector declares for the
   * scope: a mismatch shows in the frame (and goes to the host) before anything is picked.
   */
  private async checkTask(): Promise<void> {
    const releases = this.releases;
    const endpoint = this.config.endpoint;
    if (!releases || endpoint === undefined) return;
    const key = JSON.stringify(this.config);
    if (key === this.taskChecked) return;
    this.taskChecked = key;
    try {
      const scope = this.scopeName();
      const error = widgetTaskError(await releases.declaredTasks(endpoint), scope, this.config);
      if (error) this.fail(error);
    } catch (err) {
      this.fail(err);
    }
  }

  /**
   * Reads the training task the host names from its collector (public: any page may GET /tasks) and
   * sorts out the suggestion. Errors here come from the host's attributes and the collector's
   * declaration alone, so the host hears them; images picked before keep the choice they were shown with.
   */
  private async loadTrainTask(): Promise<void> {
    const releases = this.releases;
    if (!releases) return;
    const key = JSON.stringify([this.config['train-task'], this.config['suggested-label'], this.config.endpoint]);
    if (key === this.trainChecked) return;
    this.trainChecked = key;
    try {
      const ref = widgetTrainRef(this.config, await this.endpointsLoaded);
      const task = ref
        ? widgetTrainTask(await releases.trainingTasks(ref.collector), ref, this.config['suggested-label'])
        : undefined;
      if (key !== this.trainChecked) return;
      this.trainTask = task;
      const refused = task && refusedSuggestionError(task);
      if (refused) this.link.postError(refused);
      // The rows are the very objects a release in progress updates: given their choice in place.
      if (task && this.picked.some((p) => !p.train)) {
        for (const p of this.picked) p.train ??= trainChoice(task);
        this.picked = [...this.picked];
      }
    } catch (err) {
      if (key === this.trainChecked) this.trainTask = undefined;
      this.fail(err);
    }
  }

  /** Reads this host's grant and its ledger rows (never another host's) and tells the host its budget. */
  private async refresh(answer = false): Promise<void> {
    const releases = this.releases;
    if (!releases) return;
    let scope: string;
    try {
      scope = this.scopeName();
    } catch (err) {
      return this.fail(err);
    }
    try {
      const [budget, ledger] = await Promise.all([releases.budget(this.grantName), releases.ledger(this.grantName)]);
      this.granted = true;
      this.entries = ledger;
      await this.showBudget(scope, budget, answer);
    } catch (err) {
      if (isErrorNamed(err, 'UnknownScopeError')) {
        this.granted = false;
        this.budget = undefined;
        this.entries = [];
      } else this.fail(err);
    }
  }

  /**
   * One commit, anywhere: only this host's grant and rows are taken from it (never another host's).
   * Before the grant exists nothing here changes but the grant's creation, which is read once.
   */
  private applyDelta(delta: LedgerDelta): void {
    const budget = delta.budgets.scopes.find((s) => s.scope === this.grantName);
    if (!budget) return;
    if (this.granted !== true) return void this.refresh();
    const mine = delta.entries.filter((e) => e.scope === this.grantName);
    if (mine.length > 0) {
      const changed = new Map(mine.map((e) => [e.id, e]));
      const kept = this.entries.map((e) => changed.get(e.id) ?? e);
      const known = new Set(this.entries.map((e) => e.id));
      this.entries = [...mine.filter((e) => !known.has(e.id)), ...kept];
    }
    let scope: string;
    try {
      scope = this.scopeName();
    } catch (err) {
      return this.fail(err);
    }
    void this.showBudget(scope, budget, false).catch((err: unknown) => this.fail(err));
  }

  /** Shows the grant's budget and tells the host, only when its numbers changed (or it asked). */
  private async showBudget(scope: string, budget: BudgetStatus, answer: boolean): Promise<void> {
    this.budget = budget;
    const told = {
      scope,
      total: budget.total,
      // The grant's own remainder: the device's would tell this host what other hosts spent.
      remaining: budget.scopeRemaining,
      spent: budget.spent,
      releases: budget.releases,
    };
    // Every ledger change (the app's, any site's) wakes this: telling the host each time, numbers
    // unchanged, would time other sites' releases. It hears of its own changes, or when it asks.
    const key = JSON.stringify(told);
    if (answer || key !== this.lastTold) this.link.post({ type: 'budget', budget: told });
    this.lastTold = key;
    await this.refreshQuote();
  }

  private fail(err: unknown): void {
    if ((err as Error)?.name === 'AbortError') return;
    this.errors = [...this.errors, explainError(err)];
    this.link.postError(err);
  }

  /**
   * The person's click: reaches first-party storage if the frame has none yet (storage access,
   * else Obscura's window, where the person allows the host), then gives this host's site its one
   * grant, created now and never by the host. A grant that exists already is left as it is.
   */
  private async grant(): Promise<void> {
    const refusal = this.guard.refusal();
    if (refusal) return void (this.notice = `That click was ignored: ${refusal}.`);
    this.notice = '';
    if (this.access.kind !== 'connected') {
      try {
        await this.firstParty.connect();
      } catch (err) {
        return this.fail(err);
      }
    }
    const releases = this.releases;
    if (!releases) return;
    try {
      await releases.createScope({
        name: this.grantName,
        totalEpsilon: HOST_GRANT_EPSILON,
        window: { kind: 'lifetime' },
      });
    } catch (err) {
      // Granted already (another tab of this host, or a click that raced this one): nothing to add.
      if ((err as Error)?.name !== 'ScopeExistsError') return this.fail(err);
    }
    this.notice = '';
    try {
      await this.refresh();
    } catch (err) {
      this.fail(err);
    }
  }

  private async onImages(files: File[]): Promise<void> {
    const engine = this.engine;
    if (!engine) return;
    this.busy = true;
    try {
      for (const file of files) {
        const extraction = await engine.extract(file, { name: file.name });
        const item: Picked = {
          id: this.nextId++,
          name: file.name,
          contentHash: extraction.contentHash,
          released: false,
          ...(this.trainTask ? { train: trainChoice(this.trainTask) } : {}),
        };
        this.picked = [item, ...this.picked];
        if (this.settings.autoRelease && this.granted) await this.release(item);
      }
    } catch (err) {
      this.fail(err);
    } finally {
      this.busy = false;
    }
  }

  private async onReleaseClick(item: Picked): Promise<void> {
    const refusal = this.guard.refusal();
    if (refusal) return void (this.notice = `That click was ignored: ${refusal}.`);
    this.notice = '';
    await this.release(item);
  }

  private async release(item: Picked): Promise<void> {
    const releases = this.releases;
    if (!releases) return;
    try {
      const options = {
        ...widgetReleaseOptions(this.hostOrigin, this.config, this.settings, this.allowedEndpoints),
        grant: this.grantName,
        host: this.hostOrigin,
      };
      const outcome = await releases.release(item.contentHash, options);
      item.released = true;
      if (outcome.kind === 'category') item.label = outcome.assigned.label;
      this.picked = [...this.picked];
      // The host gets the report exactly as the ledger holds it; an aggregate-only scope refuses the widget's release.
      if (outcome.kind !== 'aggregate') {
        // The ledger holds this very payload (a memo hit returns the stored one).
        this.link.post({ type: 'report', report: outcome.report });
      }
      // Its delta updates this frame where deltas arrive; elsewhere it reads.
      if (!releases.hearsDeltas) await this.refresh();
    } catch (err) {
      this.fail(err);
    }
  }

  /** The person's choice in the label picker: nothing is kept until they confirm it. */
  private onTrainLabel(item: Picked, label: string): void {
    if (!item.train) return;
    item.train.label = label;
    item.train.error = undefined;
    this.requestUpdate();
  }

  /**
   * The person's click keeps the image's features with the chosen label in the first-party store
   * (the release worker checks the label against the task's set and the features against its
   * model). The host hears nothing of it, failure included: whether the person labelled an image,
   * and how, is theirs.
   */
  private async onTrainConfirm(item: Picked): Promise<void> {
    const refusal = this.guard.refusal();
    if (refusal) return void (this.notice = `That click was ignored: ${refusal}.`);
    this.notice = '';
    const releases = this.releases;
    const choice = item.train;
    if (!releases || !choice || choice.label === '' || choice.storing) return;
    const label = choice.label;
    choice.storing = true;
    choice.error = undefined;
    this.requestUpdate();
    try {
      await releases.addTrainExample(item.contentHash, choice.ref, label);
      choice.kept = label;
    } catch (err) {
      choice.error = explainError(err);
    } finally {
      choice.storing = false;
      this.requestUpdate();
    }
  }

  /** The guarantee of a release with the current settings, before any click; none while they cannot make one. */
  private async refreshQuote(): Promise<void> {
    const releases = this.releases;
    if (!releases || this.granted !== true) return void (this.quote = undefined);
    try {
      const options = widgetReleaseOptions(this.hostOrigin, this.config, this.settings, this.allowedEndpoints);
      this.quote = await releases.quote({ ...options, grant: this.grantName, host: this.hostOrigin });
    } catch {
      // Options the release would refuse: the release itself names the error; no guarantee to state.
      this.quote = undefined;
    }
  }

  /** Turning on automatic release is a consent like a release click: the same guard decides. */
  private onSettings(next: PrivacySettings): void {
    const refusal = next.autoRelease && !this.settings.autoRelease ? this.guard.refusal() : undefined;
    if (refusal) this.notice = `That click was ignored: ${refusal}.`;
    this.settings = refusal ? { ...next, autoRelease: false } : next;
    void this.refreshQuote();
  }

  private epsilon(): number {
    return Math.min(this.config.epsilon ?? this.settings.mechanism.epsilon, this.settings.mechanism.epsilon);
  }

  private consent() {
    return consentView({
      host: this.hostOrigin,
      access: this.access,
      armed: this.armed,
      epsilon: this.epsilon(),
      onAllow: () => void this.grant(),
    });
  }

  /** The host is not allowed yet, or the frame still needs the person's click to reach the store. */
  private asksConsent(): boolean {
    return this.granted === false || this.access.kind === 'needs-click' || this.access.kind === 'window-open';
  }

  private releaseRow(item: Picked, epsilon: number) {
    const short = this.budget !== undefined && this.budget.remaining + 1e-12 < epsilon;
    const row = releaseRowView(item, epsilon, this.armed, short, () => void this.onReleaseClick(item));
    if (!item.train) return row;
    const train = trainRowView(
      item.name,
      item.train,
      this.armed,
      (label) => this.onTrainLabel(item, label),
      () => void this.onTrainConfirm(item),
    );
    return html`${row}${train}`;
  }

  protected override render() {
    const epsilon = this.epsilon();
    const b = this.budget;
    const granted = this.granted === true;
    return html`
      <div class="row muted">Embedded by <span class="host">${this.hostOrigin}</span></div>
      <div class="row muted" data-testid="epsilon">
        Each release uses part of this site's privacy budget: ε ${epsilon}
      </div>
      ${granted && this.quote ? localGuaranteeView(this.quote) : nothing}
      ${this.errors.map((e) => html`<p class="error" role="alert">${e}</p>`)} ${suggestionNoticeView(this.trainTask)}
      <section class="actions">
        ${accessNoteView(this.access, this.budget)} ${this.asksConsent() ? this.consent() : nothing}
        ${
          granted
            ? html`<div class="row" data-testid="remaining">
                  This site's privacy budget: ε ${b ? b.remaining.toFixed(2) : '…'} left for this site (of
                  ${b ? b.total : '…'})${b ? `, ${releasesLeft(b.remaining, epsilon)}` : ''}
                </div>
                <capture-panel
                  ?busy=${this.busy}
                  @images=${(e: CustomEvent<File[]>) => void this.onImages(e.detail)}
                ></capture-panel>
                ${this.picked.map((item) => this.releaseRow(item, epsilon))}`
            : nothing
        }
        ${this.notice ? html`<p class="error" data-testid="release-refused" role="status">${this.notice}</p>` : nothing}
      </section>
      ${
        granted
          ? html`<details>
              <summary>Your settings and what this site received</summary>
              <privacy-controls
                .settings=${this.settings}
                @settings=${(e: CustomEvent<PrivacySettings>) => this.onSettings(e.detail)}
              ></privacy-controls>
              <ledger-view .entries=${this.entries}></ledger-view>
            </details>`
          : nothing
      }
    `;
  }
}
customElements.define('widget-frame', WidgetFrame);
