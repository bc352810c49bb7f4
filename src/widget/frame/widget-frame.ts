import { LitElement, type PropertyValues } from 'lit';
import { EngineBridge, ReleaseBridge } from '../../client/index';
import { hostGrantName, type BudgetStatus, type LedgerEntry, type ReleaseQuote } from '../../release/index';
import { explainError } from '../../app/error-text';
import { sharedStyles } from '../../app/components/shared-styles';
import '../../app/components/capture-panel';
import '../../app/components/privacy-controls';
import '../../app/components/ledger-view';
import { DEFAULT_SETTINGS, type PrivacySettings } from '../../app/components/privacy-controls';
import type { WidgetConfig } from '../protocol';
import type { HostLink } from './host-link';
import { hostScopeName } from './host-scope';
import { ReleaseGuard } from './release-guard';
import { FirstPartyAccess, type AccessState } from './first-party-access';
import { widgetFrameStyles, type Picked } from './widget-frame-views';
import { widgetFrameLayout } from './widget-frame-layout';
import { applyDelta, checkTask, refresh } from './widget-host-budget';
import { refreshQuote } from './widget-release-flow';
import { loadTrainTask } from './widget-train-flow';
import type { WidgetTrainTask } from './widget-train';

/** What shows the person reaching for the widget: a pointer over it, focus in it, a file dragged onto it. */
const INTENT_EVENTS = ['pointerover', 'focusin', 'dragenter'] as const;

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
  // The rest is the frame's own state, shared with its flows (widget-host-budget.ts, widget-release-flow.ts,
  // widget-train-flow.ts) and its view (widget-frame-view.ts).
  allowedEndpoints: readonly string[] = [];
  nextId = 1;
  /** The budget last told to the host, so unchanged numbers are not told again. */
  lastTold = '';
  /** The attributes and endpoint last checked against the collector's tasks, so each is told once. */
  taskChecked = '';
  /** The same, for the training task and the suggested label. */
  trainChecked = '';
  private stopListening: (() => void) | undefined;
  /** The person has reached for the widget (see startOnIntent): the engine runs from then on. */
  private intent = false;
  /** Reached only once the frame has first-party storage (see FirstPartyAccess). */
  releases: ReleaseBridge | undefined;
  engine: EngineBridge | undefined;
  readonly firstParty: FirstPartyAccess;
  readonly guard = new ReleaseGuard({ onArmedChange: (armed) => (this.armed = armed) });

  constructor(
    readonly link: HostLink,
    readonly endpointsLoaded: Promise<readonly string[]>,
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

  get hostOrigin(): string {
    return this.link.hostOrigin;
  }

  scopeName(): string {
    return hostScopeName(this.hostOrigin, this.config.scope);
  }

  /** Every scope of this host's site draws from this one grant. */
  get grantName(): string {
    return hostGrantName(this.hostOrigin);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    for (const type of INTENT_EVENTS) this.addEventListener(type, this.startOnIntent, { passive: true });
    void this.endpointsLoaded.then((list) => (this.allowedEndpoints = list));
    void this.firstParty.start(this.ancestors).catch((err: unknown) => this.fail(err));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const type of INTENT_EVENTS) this.removeEventListener(type, this.startOnIntent);
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
      ? this.releases.onDelta((delta) => applyDelta(this, delta))
      : this.releases.onChange(() => void refresh(this));
    void refresh(this);
    void checkTask(this);
    void loadTrainTask(this);
    if (this.intent) this.startEngine();
  }

  /**
   * The engine (its script, the WASM build and the model: most of what the widget weighs) starts when the person
   * first reaches for the widget, not with the host's page: a visitor who never uses it downloads and runs no
   * model. Reaching for it comes well before a photo is chosen in the file dialog; a pick starts it in any case.
   */
  private readonly startOnIntent = (): void => {
    for (const type of INTENT_EVENTS) this.removeEventListener(type, this.startOnIntent);
    this.intent = true;
    this.startEngine();
  };

  private startEngine(): void {
    this.engine?.start().catch((err: unknown) => this.fail(err));
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
    void refresh(this, true);
    void checkTask(this);
    void loadTrainTask(this);
  }

  /** Shows the error in the frame and tells the host what it may know of it (host-error.ts). */
  fail(err: unknown): void {
    if ((err as Error)?.name === 'AbortError') return;
    this.errors = [...this.errors, explainError(err)];
    this.link.postError(err);
  }

  /** Turning on automatic release is a consent like a release click: the same guard decides. */
  onSettings(next: PrivacySettings): void {
    const refusal = next.autoRelease && !this.settings.autoRelease ? this.guard.refusal() : undefined;
    if (refusal) this.notice = `That click was ignored: ${refusal}.`;
    this.settings = refusal ? { ...next, autoRelease: false } : next;
    void refreshQuote(this);
  }

  protected override render() {
    return widgetFrameLayout(this);
  }
}
customElements.define('widget-frame', WidgetFrame);
