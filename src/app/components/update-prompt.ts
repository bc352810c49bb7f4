import { LitElement, html, css } from 'lit';
import { sharedStyles } from './shared-styles';
import { registerServiceWorker, type AcceptUpdate } from '../service-worker-registration';
import { engineSettled } from '../engine-settled';

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

/** Past this the worker registers even if the engine has not settled: offline use must not wait on a stuck start. */
const REGISTER_AT_LATEST_MS = 30_000;

// Mounted only when an update is waiting. The worker registers once the engine has settled: on a first
// visit its precache would otherwise share the line with the model and the WASM build, and its install
// the CPU with the first image's features.
void Promise.race([engineSettled, new Promise((done) => setTimeout(done, REGISTER_AT_LATEST_MS))])
  .then(() =>
    registerServiceWorker((accept) => {
      const prompt = document.createElement('update-prompt') as UpdatePrompt;
      prompt.accept = accept;
      document.body.append(prompt);
    }),
  )
  .catch((err: unknown) => console.warn('service worker registration failed', err));
