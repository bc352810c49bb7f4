import { LitElement, html, css, nothing } from 'lit';
import {
  isHostGrant,
  type BudgetOverview,
  type BudgetStatus,
  type DeviceBudget,
  type ScopeConfig,
  type WindowPolicy,
} from '../../release/index';
import { describeWindow, windowOf, windowValue, WINDOW_CHOICES } from './budget-window';
import { BUDGET_MEANING, EPSILON_MEANING } from './budget-words';
import { sharedStyles, tableStyles } from './shared-styles';

/**
 * What is left to release in the active scope (the smaller of its own budget and the
 * device-wide one every scope shares), each scope's own budget, when it refills, and
 * everything released since first use. Its controls ask for budget changes by events:
 * `configure-device` (a DeviceBudget: "grant more" raises the total) and `configure-scope`
 * (a ScopeConfig for the active scope).
 */
export class BudgetGauge extends LitElement {
  static override properties = { budget: { attribute: false }, overview: { attribute: false } };
  /** The active scope's status (with the device's in `device`). */
  declare budget: BudgetStatus | undefined;
  /** Every scope's status, for the list of scopes. */
  declare overview: BudgetOverview | undefined;

  static override styles = [
    sharedStyles,
    tableStyles,
    css`
      meter {
        width: 100%;
        height: 1.2rem;
      }
      .big {
        font-size: 1.3rem;
        font-weight: 700;
      }
      details {
        margin-top: 0.5rem;
      }
      label {
        display: grid;
        gap: 0.2rem;
        margin-bottom: 0.4rem;
      }
      form {
        margin-bottom: 0.6rem;
      }
      tr.active {
        font-weight: 600;
      }
    `,
  ];

  private field(form: HTMLFormElement, name: string): string {
    return (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement).value;
  }

  private emit(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  /** The active scope's own total and window. */
  private saveScope(e: Event): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const scope: ScopeConfig = {
      name: this.budget?.scope ?? 'default',
      totalEpsilon: Number(this.field(form, 'total')),
      window: windowOf(this.field(form, 'window')),
    };
    this.emit('configure-scope', scope);
  }

  /** Grants more: the device-wide total rises by the amount, as a budget change in the ledger. */
  private grant(e: Event): void {
    e.preventDefault();
    const device = this.budget?.device;
    const more = Number(this.field(e.target as HTMLFormElement, 'grant'));
    if (!device || !(more > 0)) return;
    const budget: DeviceBudget = { totalEpsilon: round(device.total + more), window: device.window };
    this.emit('configure-device', budget);
  }

  private saveDevice(e: Event): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const budget: DeviceBudget = {
      totalEpsilon: Number(this.field(form, 'device-total')),
      window: windowOf(this.field(form, 'device-window')),
    };
    this.emit('configure-device', budget);
  }

  private windowSelect(name: string, current: WindowPolicy) {
    return html`<select name=${name}>
      ${WINDOW_CHOICES.map(
        (c) => html`<option value=${c.value} ?selected=${c.value === windowValue(current)}>${c.label}</option>`,
      )}
    </select>`;
  }

  private scopeRows(active: string) {
    // A widget host's grant has its own panel (host-grants), with its site's name unescaped.
    const scopes = (this.overview?.scopes ?? []).filter((s) => !isHostGrant(s.scope));
    if (scopes.length < 2) return nothing;
    return html`<table aria-label="scopes">
      <thead>
        <tr>
          <th scope="col">scope</th>
          <th scope="col">its own budget left (ε)</th>
          <th scope="col">window</th>
        </tr>
      </thead>
      <tbody>
        ${scopes.map(
          (s) =>
            html`<tr data-testid="scope-row" class=${s.scope === active ? 'active' : ''}>
              <td>${s.scope}${s.scope === active ? ' (active)' : ''}</td>
              <td>ε ${s.scopeRemaining.toFixed(2)} of ${s.total}</td>
              <td>${describeWindow(s.window)}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
  }

  protected override render() {
    const b = this.budget;
    if (!b)
      return html`<section class="card">
        <h2>Privacy budget</h2>
        <p class="muted">Loading the ledger…</p>
      </section>`;
    const d = b.device;
    const limiting = d.remaining < b.scopeRemaining ? 'device' : 'scope';
    const refillsAt = limiting === 'device' ? d.refillsAt : b.refillsAt;
    const window = limiting === 'device' ? d.window : b.window;
    const refill =
      window.kind === 'lifetime'
        ? 'It does not refill by itself.'
        : refillsAt
          ? `It refills from ${new Date(refillsAt).toLocaleString()}.`
          : `It refills over a ${describeWindow(window)} window.`;
    const max = Math.min(b.total, d.total);
    return html`<section class="card" aria-labelledby="budget-title">
      <h2 id="budget-title">Privacy budget</h2>
      <p class="muted" data-testid="budget-words">${BUDGET_MEANING}</p>
      <p>
        What you can still release:
        <span class="big" data-testid="remaining">ε ${b.remaining.toFixed(2)}</span> left
        <span class="muted">(scope “${b.scope}”; ${EPSILON_MEANING})</span>
      </p>
      <meter
        min="0"
        max=${max}
        value=${b.remaining}
        low=${max * 0.2}
        optimum=${max}
        aria-label="remaining privacy budget"
      ></meter>
      <p data-testid="device-budget" data-spent=${String(d.spent)} data-total=${String(d.total)}>
        Device-wide: ε ${d.remaining.toFixed(2)} left of ${d.total} (${describeWindow(d.window)}), shared by every
        scope; scope “${b.scope}”: ε ${b.scopeRemaining.toFixed(2)} left of ${b.total}.
      </p>
      <p class="muted">
        ${refill} ${d.releases} release${d.releases === 1 ? '' : 's'} counting. Everything released since first use adds
        up to ε ${d.cumulativeEpsilon.toFixed(2)}. Gaussian releases may fail their guarantee with a tiny chance, δ =
        ${b.deltaTarget}, which the budget accounts for.
      </p>
      ${this.scopeRows(b.scope)}
      <details>
        <summary>Change the budget</summary>
        <form @submit=${(e: Event) => this.grant(e)}>
          <label
            >Grant more to the device-wide budget (ε)
            <input name="grant" type="number" min="0.01" step="0.01" value="1" />
          </label>
          <button type="submit">Grant more</button>
        </form>
        <form @submit=${(e: Event) => this.saveDevice(e)}>
          <label
            >Device-wide total ε
            <input name="device-total" type="number" min="0" max="100" step="0.1" .value=${String(d.total)} />
          </label>
          <label>Device-wide window ${this.windowSelect('device-window', d.window)}</label>
          <button type="submit">Save device budget</button>
        </form>
        <form @submit=${(e: Event) => this.saveScope(e)}>
          <label
            >Total ε of scope “${b.scope}”
            <input name="total" type="number" min="0" max="100" step="0.1" .value=${String(b.total)} />
          </label>
          <label>Window of scope “${b.scope}” ${this.windowSelect('window', b.window)}</label>
          <button type="submit">Save budget</button>
        </form>
        <p class="muted">Changes are kept in the ledger; none of them forgives what was already released.</p>
      </details>
    </section>`;
  }
}
customElements.define('budget-gauge', BudgetGauge);

/** A total on the ledger's grid of 1e-6, without float residue (9.999999999). */
function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
