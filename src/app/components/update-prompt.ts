import { LitElement, html, css } from 'lit';
import { sharedStyles } from './shared-styles';
import { registerServiceWorker, type AcceptUpdate } from '../service-worker-registration';

/**
 * "A new version is ready — reload": shown when a new build of the app has installed in
 * the background. Reloading activates it; until then the running version stays whole.
 */
export class UpdatePrompt extends LitElement {
  static override properties = { reloading: { state: true } };
  declare reloading: boolean;
  accept: AcceptUpdate | undefined;

  constructor() {
    super();
    this.reloading = false;
  }

  static override styles = [
    sharedStyles,
    css`
      :host {
        position: fixed;
        inset: auto 1rem 1rem auto;
        z-index: 10;
        max-width: 24rem;
      }
      .row {
        gap: 0.75rem;
        align-items: center;
      }
    `,
  ];

  private onReload(): void {
    this.reloading = true;
    this.accept?.();
  }

  protected override render() {
    return html`<div class="card row" role="status" data-testid="update-prompt">
      <span>A new version is ready — reload</span>
      <button type="button" data-testid="update-reload" ?disabled=${this.reloading} @click=${this.onReload}>
        Reload
      </button>
    </div>`;
  }
}
customElements.define('update-prompt', UpdatePrompt);

// Mounted only when an update is waiting; an offline-capable page registers its worker on load.
void registerServiceWorker((accept) => {
  const prompt = document.createElement('update-prompt') as UpdatePrompt;
  prompt.accept = accept;
  document.body.append(prompt);
}).catch((err: unknown) => console.warn('service worker registration failed', err));
