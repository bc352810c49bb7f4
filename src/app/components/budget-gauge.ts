import { LitElement, html, css, nothing } from 'lit';
import type { BudgetStatus, ScopeConfig } from '../../release/index';
import { sharedStyles } from './shared-styles';

/** What is left of the privacy budget, when it refills, and everything released since first use. */
export class BudgetGauge extends LitElement {
  static override properties = { budget: { attribute: false } };
  declare budget: BudgetStatus | undefined;

  static override styles = [
    sharedStyles,
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
    `,
  ];

  private save(e: Event): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const total = Number((form.elements.namedItem('total') as HTMLInputElement).value);
    const windowKind = (form.elements.namedItem('window') as HTMLSelectElement).value;
    const scope: ScopeConfig = {
      name: this.budget?.scope ?? 'default',
      totalEpsilon: total,
      window: windowKind === 'lifetime' ? { kind: 'lifetime' } : { kind: 'rolling', ms: 24 * 3600_000 },
    };
    this.dispatchEvent(new CustomEvent('configure-scope', { detail: scope, bubbles: true, composed: true }));
  }

  protected override render() {
    const b = this.budget;
    if (!b)
      return html`<section class="card">
        <h2>Privacy budget</h2>
        <p class="muted">Loading the ledger…</p>
      </section>`;
    const refill =
      b.window.kind === 'lifetime'
        ? 'It does not refill by itself.'
        : b.refillsAt
          ? `It refills from ${new Date(b.refillsAt).toLocaleString()}.`
          : 'It refills over a rolling 24-hour window.';
    return html`<section class="card" aria-labelledby="budget-title">
      <h2 id="budget-title">Privacy budget</h2>
      <p>
        <span class="big" data-testid="remaining">ε ${b.remaining.toFixed(2)}</span> left of ${b.total}
        <span class="muted">(scope “${b.scope}”)</span>
      </p>
      <meter
        min="0"
        max=${b.total}
        value=${b.remaining}
        low=${b.total * 0.2}
        optimum=${b.total}
        aria-label="remaining privacy budget"
      ></meter>
      <p class="muted">
        ${refill} ${b.releases} release${b.releases === 1 ? '' : 's'} so far.
        ${b.window.kind === 'rolling' ? html`Released since first use: ε ${b.cumulativeEpsilon.toFixed(2)}.` : nothing}
      </p>
      <details>
        <summary>Change the budget</summary>
        <form @submit=${(e: Event) => this.save(e)}>
          <label>Total ε <input name="total" type="number" min="0" step="0.1" .value=${String(b.total)} /></label>
          <label
            >Window
            <select name="window">
              <option value="lifetime" ?selected=${b.window.kind === 'lifetime'}>lifetime (never refills)</option>
              <option value="rolling" ?selected=${b.window.kind === 'rolling'}>rolling 24 hours</option>
            </select>
          </label>
          <button type="submit">Save budget</button>
        </form>
      </details>
    </section>`;
  }
}
customElements.define('budget-gauge', BudgetGauge);
