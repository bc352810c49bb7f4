import { LitElement, html, css } from 'lit';
import { sharedStyles } from './shared-styles';

/** Progress of a batch: count, estimated time left, and a cancel button. */
export class BatchProgress extends LitElement {
  static override properties = {
    done: { type: Number },
    total: { type: Number },
    startedAt: { type: Number },
    label: { type: String },
  };
  declare done: number;
  declare total: number;
  declare startedAt: number;
  declare label: string;

  constructor() {
    super();
    this.done = 0;
    this.total = 0;
    this.startedAt = 0;
    this.label = 'Processing';
  }

  static override styles = [
    sharedStyles,
    css`
      progress {
        width: 100%;
        height: 1rem;
      }
      .row {
        justify-content: space-between;
      }
    `,
  ];

  private remaining(): string {
    if (this.done === 0 || this.total === 0) return 'estimating…';
    const perItem = (performance.now() - this.startedAt) / this.done;
    const seconds = Math.round((perItem * (this.total - this.done)) / 1000);
    return seconds < 1 ? 'almost done' : `about ${seconds} s left`;
  }

  protected override render() {
    return html`<div class="card" role="group" aria-label="${this.label}">
      <div class="row">
        <span>${this.label}: ${this.done} of ${this.total}</span><span class="muted">${this.remaining()}</span>
      </div>
      <progress max="${this.total}" value="${this.done}" aria-label="${this.label} progress"></progress>
      <div class="row">
        <button @click=${() => this.dispatchEvent(new CustomEvent('cancel', { bubbles: true, composed: true }))}>
          Cancel
        </button>
      </div>
    </div>`;
  }
}
customElements.define('batch-progress', BatchProgress);
