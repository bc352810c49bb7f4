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
      :host {
        position: relative;
      }
      /* One width in every state and one line: the header never grows or wraps while the model loads. */
      .badge {
        display: flex;
        gap: 0.4rem;
        align-items: center;
        box-sizing: border-box;
        width: 13.5rem;
        max-width: 100%;
        height: 2rem;
        padding: 0 0.6rem;
        border-radius: 999px;
        border: 1px solid var(--line);
        background: var(--card);
        font-size: 0.9rem;
        white-space: nowrap;
        overflow: hidden;
      }
      .text {
        flex: 1 1 auto;
        min-width: 0;
        overflow: hidden;
        text-overflow: ellipsis;
      }
      .dot {
        flex: none;
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
      progress {
        flex: none;
        width: 3rem;
      }
      summary {
        cursor: pointer;
      }
      /* Opened, the details float below the badge instead of growing the header. */
      .more {
        box-sizing: border-box;
        position: absolute;
        right: 0;
        top: calc(100% + 0.3rem);
        z-index: 3;
        width: min(22rem, calc(100vw - 1.6rem));
        padding: 0.5rem 0.7rem;
        border: 1px solid var(--line);
        border-radius: 8px;
        background: var(--card);
        box-shadow: 0 2px 12px rgb(0 0 0 / 0.2);
        font-size: 0.85rem;
      }
      ul {
        margin: 0.3rem 0;
        padding-left: 1.1rem;
      }
    `,
  ];

  protected override render() {
    if (this.error)
      return html`<span class="badge"><span class="dot bad"></span><span class="text">model not loaded</span></span>`;
    if (!this.status) {
      const p = this.progress;
      const label =
        p?.phase === 'calibrate'
          ? 'timing the backends…'
          : p?.phase === 'build'
            ? 'preparing the model…'
            : 'loading the model…';
      return html`<span class="badge" role="status"
        ><span class="dot wait"></span><span class="text">${this.loading ? label : 'model loads on first use'}</span> ${
          this.loading && p?.phase === 'fetch'
            ? html`<progress max="1" value=${p.fraction} aria-label="model download"></progress>`
            : ''
        }</span
      >`;
    }
    const s = this.status;
    return html`<details>
      <summary class="badge" title="${s.backend} · ${s.model.id} (${s.model.dims}-d)">
        <span class="dot"></span><span class="text">${s.backend} · ${s.model.id} (${s.model.dims}-d)</span>
      </summary>
      <div class="more">
        <ul>
          ${(['webgpu', 'webgl', 'wasm', 'cpu'] as const).map(
            (b) => html`<li><strong>${b}</strong>: ${s.reasons[b]}</li>`,
          )}
        </ul>
        <div class="muted">
          model ${s.model.id}, layer ${s.model.layer}; fetched in ${s.modelFetchMs.toFixed(0)} ms, ready in
          ${s.modelBuildMs.toFixed(0)} ms
        </div>
      </div>
    </details>`;
  }
}
customElements.define('engine-badge', EngineBadge);
