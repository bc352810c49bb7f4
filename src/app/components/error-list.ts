import { LitElement, html, css } from 'lit';
import { sharedStyles } from './shared-styles';

/** Errors in plain words, announced to screen readers as they arrive; each can be dismissed. */
export class ErrorList extends LitElement {
  static override properties = { errors: { attribute: false } };
  declare errors: readonly { id: number; text: string }[];

  constructor() {
    super();
    this.errors = [];
  }

  static override styles = [
    sharedStyles,
    css`
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.4rem;
      }
      li {
        border: 1px solid var(--danger);
        color: var(--danger);
        border-radius: 8px;
        padding: 0.5rem 0.7rem;
        display: flex;
        gap: 0.5rem;
        justify-content: space-between;
        align-items: center;
        background: var(--card);
      }
    `,
  ];

  private dismiss(id: number): void {
    this.dispatchEvent(new CustomEvent('dismiss', { detail: id, bubbles: true, composed: true }));
  }

  protected override render() {
    return html`<div role="alert" aria-live="assertive">
      <ul>
        ${this.errors.map(
          (e) =>
            html`<li data-testid="error">
              <span>${e.text}</span
              ><button aria-label="dismiss this message" @click=${() => this.dismiss(e.id)}>✕</button>
            </li>`,
        )}
      </ul>
    </div>`;
  }
}
customElements.define('error-list', ErrorList);
