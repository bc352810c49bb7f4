import { LitElement, html, css, nothing } from 'lit';
import { expose } from 'comlink';
import { ReleaseBridge } from '../../client/index';
import { isErrorNamed } from '../../errors';
import { explainError } from '../../app/error-text';
import { BUDGET_MEANING } from '../../app/components/budget-words';
import { sharedStyles } from '../../app/components/shared-styles';
import {
  HOST_GRANT_EPSILON,
  hostGrantName,
  siteOf,
  type BudgetStatus,
  type LedgerDelta,
  type TargetStatus,
} from '../../release/index';
import { deltaMessage, helloSchema, hostDelta, windowMessage, type WindowMessage } from './window-protocol';
import { hostRelay } from './host-relay';

/**
 * Obscura's own first-party window, opened by a widget frame on another site. Here, with the
 * app origin's own storage, the person sees the device budget and the host asking, and allows
 * the host (its one grant); while the window stays open it relays that host's releases to the
 * release service, for browsers that give the frame no storage access.
 */
export class ConnectWindow extends LitElement {
  static override properties = {
    device: { state: true },
    grant: { state: true },
    linked: { state: true },
    error: { state: true },
  };
  declare device: TargetStatus | undefined;
  /** The host's grant: undefined while unknown, null when never given. */
  declare grant: BudgetStatus | null | undefined;
  declare linked: boolean;
  declare error: string;
  private readonly bridge = new ReleaseBridge();
  private readonly opener = window.opener as Window | null;

  constructor(private readonly host: string | undefined) {
    super();
    this.linked = false;
    this.error = '';
  }

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        gap: 0.75rem;
        max-width: 34rem;
        margin: 0 auto;
        padding: 1rem;
      }
      .host {
        font-weight: 600;
        word-break: break-all;
      }
      .error {
        color: var(--danger);
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener('message', this.onMessage);
    addEventListener('pagehide', () => this.tell('closing'));
    // Each commit's delta: applied here, and passed to the host's frame narrowed to its grant (no re-read).
    this.bridge.onDelta((delta) => this.applyDelta(delta));
    void this.refresh();
    this.tell('ready');
  }

  private readonly onMessage = (event: MessageEvent): void => {
    // Only the widget frame that opened this window, of Obscura's own origin, for the host named here.
    if (!this.host || event.source !== this.opener || event.origin !== location.origin) return;
    const hello = helloSchema.safeParse(event.data);
    const port = event.ports[0];
    if (!hello.success || hello.data.host !== this.host || !port || this.linked) return;
    expose(hostRelay(this.bridge, this.host), port);
    port.start();
    this.linked = true;
    if (this.grant) this.tell('granted');
  };

  private tell(type: Exclude<WindowMessage['type'], 'delta'>): void {
    this.opener?.postMessage(windowMessage(type), location.origin);
  }

  private applyDelta(delta: LedgerDelta): void {
    this.device = delta.budgets.device;
    if (!this.host) return;
    const name = hostGrantName(this.host);
    const had = this.grant;
    this.grant = delta.budgets.scopes.find((s) => s.scope === name) ?? null;
    // Only a frame that said hello has its port; it hears its own host's part of the delta.
    if (this.linked) this.opener?.postMessage(deltaMessage(hostDelta(delta, name)), location.origin);
    if (this.grant && !had && this.linked) this.tell('granted');
  }

  private async refresh(): Promise<void> {
    try {
      const overview = await this.bridge.budgets();
      this.device = overview.device;
      if (!this.host) return;
      const name = hostGrantName(this.host);
      this.grant = overview.scopes.find((s) => s.scope === name) ?? null;
      // A host allowed before (in an earlier visit) needs no new click: the frame may go on.
      if (this.grant && this.linked) this.tell('granted');
    } catch (err) {
      this.error = explainError(err);
    }
  }

  private async allow(): Promise<void> {
    if (!this.host) return;
    try {
      await this.bridge.createScope({
        name: hostGrantName(this.host),
        totalEpsilon: HOST_GRANT_EPSILON,
        window: { kind: 'lifetime' },
      });
    } catch (err) {
      if (!isErrorNamed(err, 'ScopeExistsError')) return void (this.error = explainError(err));
    }
    await this.refresh();
  }

  private grantText() {
    const g = this.grant;
    if (g === undefined) return html`<p>Reading your budget…</p>`;
    if (g === null)
      return html`<p>
          ${BUDGET_MEANING} Allowing gives this site a budget of its own within your device's, ε ${HOST_GRANT_EPSILON}
          (ε measures what releases can reveal: smaller reveals less), for private reports of images you choose on it,
          one click each. You can revoke it in Obscura at any time.
        </p>
        <button class="primary" data-testid="allow-host" ?disabled=${!this.linked} @click=${() => this.allow()}>
          Allow ${siteOf(this.host!)}
        </button>`;
    if (g.total === 0)
      return html`<p data-testid="grant-state" data-state="revoked">
        You revoked this site: it releases nothing more. You can allow it again in Obscura.
      </p>`;
    return html`<p data-testid="grant-state" data-state="allowed">
      Allowed: ε ${g.scopeRemaining.toFixed(2)} left of ${g.total} for this site.
      ${
        this.linked
          ? html`Keep this window open while you use Obscura on that page: its releases are charged here.`
          : nothing
      }
    </p>`;
  }

  protected override render() {
    const d = this.device;
    if (!this.host || !this.opener)
      return html`<h1>Obscura</h1>
        <p role="alert">This window is opened by Obscura's widget on another site; open it from there.</p>`;
    return html`
      <h1>Obscura</h1>
      <p><span class="host" data-testid="host-origin">${this.host}</span> asks to receive private reports.</p>
      <p data-testid="device-budget" data-spent=${String(d?.spent ?? '')} data-total=${String(d?.total ?? '')}>
        What your releases have revealed so far, across Obscura and every site, out of what this device allows: ε
        ${d ? d.spent.toFixed(2) : '…'} used of ${d ? d.total : '…'} (your device budget).
      </p>
      ${this.linked ? nothing : html`<p>Waiting for the page that opened this window…</p>`} ${this.grantText()}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
    `;
  }
}
customElements.define('connect-window', ConnectWindow);
