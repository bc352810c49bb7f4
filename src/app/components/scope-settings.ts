import { LitElement, html, css, nothing } from 'lit';
import { DEFAULT_TRUST, type ScopeConfig } from '../../release/index';
import { aggregateScopeOf, describeAggregateScope } from './aggregate-scope-text';
import { WINDOW_CHOICES, windowOf } from './budget-window';
import { sharedStyles } from './shared-styles';

/**
 * Which scope releases are charged to, chosen among the scopes that exist and those the collector
 * declares (a declared one is created when chosen), and a form to
 * create one explicitly with its own sub-budget (it still draws from the device-wide
 * budget). An aggregate-only scope states its trust assumption, its two aggregators and n_min,
 * here for the active scope and in the form that creates one. Events: `select-scope` (the
 * name) and `create-scope` (a ScopeConfig).
 */
export class ScopeSettings extends LitElement {
  static override properties = {
    scopes: { attribute: false },
    configs: { attribute: false },
    active: { type: String },
    creating: { state: true },
    declared: { attribute: false },
  };
  declare scopes: readonly string[];
  /** Every scope's configuration, to show the active one's mode. */
  declare configs: readonly ScopeConfig[];
  declare active: string;
  declare creating: 'local' | 'aggregate-only';
  /** The scopes the collector declares tasks for (undefined: none read); the form offers those not yet created. */
  declare declared: readonly string[] | undefined;

  constructor() {
    super();
    this.scopes = [];
    this.configs = [];
    this.active = 'default';
    this.creating = 'local';
  }

  static override styles = [
    sharedStyles,
    css`
      label {
        display: grid;
        /* The column never grows past the card, so a long scope option is cut, not the page widened. */
        grid-template-columns: minmax(0, 1fr);
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
      ...(this.creating === 'aggregate-only' ? aggregateScopeOf(value) : {}),
    };
    this.emit('create-scope', scope);
  }

  /** A scope of this device's, marked when a collector that declares tasks does not declare it. */
  private label(scope: string): string {
    return this.declared && !this.declared.includes(scope) ? `${scope} (not declared by the collector)` : scope;
  }

  private activeMode() {
    const config = this.configs.find((c) => c.name === this.active);
    if (!config?.aggregate) return nothing;
    return html`<div data-testid="scope-mode" class="note">${describeAggregateScope(config.aggregate)}</div>`;
  }

  private aggregateFields() {
    if (this.creating !== 'aggregate-only') return nothing;
    return html`<label>Leader (URL) <input name="scope-leader" type="url" required /></label>
      <label>Helper (URL, another origin) <input name="scope-helper" type="url" required /></label>
      <label
        >n_min (smallest batch either releases) <input name="scope-nmin" type="number" min="2" value="100"
      /></label>
      <label
        >Central ε per release <input name="scope-epsilon" type="number" min="0.01" max="16" step="0.01" value="1"
      /></label>
      <label>Coordinates sent <input name="scope-dims" type="number" min="1" max="4096" value="16" /></label>
      <label>Trust assumption <input name="scope-trust" required value=${DEFAULT_TRUST} /></label>`;
  }

  protected override render() {
    return html`<section class="card" aria-labelledby="scope-title">
      <h2 id="scope-title">Scope</h2>
      <label
        >Releases are charged to
        <select id="scope" @change=${(e: Event) => this.emit('select-scope', (e.target as HTMLSelectElement).value)}>
          ${this.scopes.map((s) => html`<option value=${s} ?selected=${s === this.active}>${this.label(s)}</option>`)}
          ${(this.declared ?? [])
            .filter((s) => !this.scopes.includes(s))
            .map((s) => html`<option value=${s}>${s} (declared by the collector; created when chosen)</option>`)}
        </select>
      </label>
      ${this.activeMode()}
      <details>
        <summary>Create a scope</summary>
        <form @submit=${(e: Event) => this.create(e)}>
          <label
            >Name (letters, digits, . _ : -)
            <input name="scope-name" required pattern="[A-Za-z0-9._:\\-]{1,128}" list="declared-scopes" />
          </label>
          <datalist id="declared-scopes">
            ${(this.declared ?? [])
              .filter((s) => !this.scopes.includes(s))
              .map((s) => html`<option value=${s}>declared by the collector</option>`)}
          </datalist>
          <label
            >Its own total ε (it also draws from the device-wide budget)
            <input name="scope-total" type="number" min="0" max="100" step="0.1" value="1" />
          </label>
          <label
            >Releases
            <select
              name="scope-mode"
              @change=${(e: Event) =>
                (this.creating = (e.target as HTMLSelectElement).value as 'local' | 'aggregate-only')}
            >
              <option value="local">local: a noisy report to the collector</option>
              <option value="aggregate-only">aggregate-only: two shares to two aggregators</option>
            </select>
          </label>
          ${this.aggregateFields()}
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
