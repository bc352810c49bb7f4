import { LitElement, html, css } from 'lit';
import type { ScopeConfig } from '../../release/index';
import { WINDOW_CHOICES, windowOf } from './budget-window';
import { sharedStyles } from './shared-styles';

/**
 * Which scope releases are charged to, chosen among the scopes that exist, and a form to
 * create one explicitly with its own sub-budget (it still draws from the device-wide
 * budget). Events: `select-scope` (the name) and `create-scope` (a ScopeConfig).
 */
export class ScopeSettings extends LitElement {
  static override properties = { scopes: { attribute: false }, active: { type: String } };
  declare scopes: readonly string[];
  declare active: string;

  constructor() {
    super();
    this.scopes = [];
    this.active = 'default';
  }

  static override styles = [
    sharedStyles,
    css`
      label {
        display: grid;
        gap: 0.2rem;
        margin-bottom: 0.4rem;
      }
    `,
  ];

  private emit(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  private create(e: Event): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement).value;
    const scope: ScopeConfig = {
      name: value('scope-name').trim(),
      totalEpsilon: Number(value('scope-total')),
      window: windowOf(value('scope-window')),
    };
    this.emit('create-scope', scope);
  }

  protected override render() {
    return html`<section class="card" aria-labelledby="scope-title">
      <h2 id="scope-title">Scope</h2>
      <label
        >Releases are charged to
        <select id="scope" @change=${(e: Event) => this.emit('select-scope', (e.target as HTMLSelectElement).value)}>
          ${this.scopes.map((s) => html`<option value=${s} ?selected=${s === this.active}>${s}</option>`)}
        </select>
      </label>
      <details>
        <summary>Create a scope</summary>
        <form @submit=${(e: Event) => this.create(e)}>
          <label
            >Name (letters, digits, . _ : -)
            <input name="scope-name" required pattern="[A-Za-z0-9._:\\-]{1,128}" />
          </label>
          <label
            >Its own total ε (it also draws from the device-wide budget)
            <input name="scope-total" type="number" min="0" max="100" step="0.1" value="1" />
          </label>
          <label
            >Window
            <select name="scope-window">
              ${WINDOW_CHOICES.map((c) => html`<option value=${c.value}>${c.label}</option>`)}
            </select>
          </label>
          <button type="submit">Create scope</button>
        </form>
      </details>
    </section>`;
  }
}
customElements.define('scope-settings', ScopeSettings);
