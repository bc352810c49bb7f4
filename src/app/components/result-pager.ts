import { LitElement, html, css } from 'lit';
import { sharedStyles } from './shared-styles';
import { lastPageOffset, PAGE_SIZE } from '../result-window';

/** Moves through the results a page at a time (newest first), and clears them. */
export class ResultPager extends LitElement {
  static override properties = { offset: { type: Number }, total: { type: Number } };
  declare offset: number;
  declare total: number;

  constructor() {
    super();
    this.offset = 0;
    this.total = 0;
  }

  static override styles = [
    sharedStyles,
    css`
      .row {
        justify-content: space-between;
        flex-wrap: wrap;
      }
    `,
  ];

  private go(offset: number): void {
    this.dispatchEvent(new CustomEvent('page', { detail: offset, bubbles: true, composed: true }));
  }

  protected override render() {
    const last = lastPageOffset(this.total);
    const first = this.offset === 0;
    const end = Math.min(this.total, this.offset + PAGE_SIZE);
    return html`<nav class="row" aria-label="results pages">
      <span data-testid="results-shown" data-count=${this.total}>
        ${this.total > PAGE_SIZE ? `Results ${this.offset + 1}–${end} of ${this.total}` : `${this.total} results`}
        (newest first)
      </span>
      <span class="row">
        ${
          this.total > PAGE_SIZE
            ? html`<button ?disabled=${first} @click=${() => this.go(0)}>Newest</button>
                <button ?disabled=${first} @click=${() => this.go(Math.max(0, this.offset - PAGE_SIZE))}>Newer</button>
                <button ?disabled=${end >= this.total} @click=${() => this.go(this.offset + PAGE_SIZE)}>Older</button>
                <button ?disabled=${end >= this.total} @click=${() => this.go(last)}>Oldest</button>`
            : ''
        }
        <button @click=${() => this.dispatchEvent(new CustomEvent('clear-results', { bubbles: true, composed: true }))}>
          Clear results
        </button>
      </span>
    </nav>`;
  }
}
customElements.define('result-pager', ResultPager);
