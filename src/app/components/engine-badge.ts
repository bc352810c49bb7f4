import { LitElement, html, css } from 'lit';
import type { EngineStatus, LoadProgress } from '../../client/index';
import { sharedStyles } from './shared-styles';

/** Which backend runs and why the others do not; model loading while it happens. */
export class EngineBadge extends LitElement {
  static override properties = {
    status: { attribute: false },
    progress: { attribute: false },
    loading: { type: Boolean },
    error: { type: String },
  };
  declare status: EngineStatus | undefined;
  declare progress: LoadProgress | undefined;
  declare loading: boolean;
  declare error: string;

  constructor() {
    super();
    this.loading = false;
    this.error = '';
  }

  static override styles = [
    sharedStyles,
    css`
      .badge {
        display: inline-flex;
        gap: 0.4rem;
        align-items: center;
        padding: 0.2rem 0.6rem;
        border-radius: 999px;
        border: 1px solid var(--line);
        background: var(--card);
        font-size: 0.9rem;
      }
      .dot {
        width: 0.6rem;
        height: 0.6rem;
        border-radius: 50%;
        background: var(--ok);
      }
      .dot.wait {
        background: var(--focus);
      }
      .dot.bad {
        background: var(--danger);
      }
      details {
        font-size: 0.85rem;
      }
      ul {
        margin: 0.3rem 0;
        padding-left: 1.1rem;
      }
    `,
  ];

  protected override render() {
    if (this.error) return html`<span class="badge"><span class="dot bad"></span>model not loaded</span>`;
    if (!this.status) {
      const p = this.progress;
      const label =
        p?.phase === 'calibrate'
          ? 'timing the backends…'
          : p?.phase === 'build'
            ? 'preparing the model…'
            : 'loading the model…';
      return html`<span class="badge" role="status"
        ><span class="dot wait"></span>${this.loading ? label : 'model loads on first use'}
        ${
          this.loading && p?.phase === 'fetch'
            ? html`<progress max="1" value=${p.fraction} aria-label="model download"></progress>`
            : ''
        }</span
      >`;
    }
    const s = this.status;
    return html`<details>
      <summary class="badge"><span class="dot"></span>${s.backend} · ${s.model.id} (${s.model.dims}-d)</summary>
      <ul>
        ${(['webgpu', 'webgl', 'wasm', 'cpu'] as const).map(
          (b) => html`<li><strong>${b}</strong>: ${s.reasons[b]}</li>`,
        )}
      </ul>
      <div class="muted">
        model ${s.model.id}, layer ${s.model.layer}; fetched in ${s.modelFetchMs.toFixed(0)} ms, ready in
        ${s.modelBuildMs.toFixed(0)} ms
      </div>
    </details>`;
  }
}
customElements.define('engine-badge', EngineBadge);
