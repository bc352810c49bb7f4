import { LitElement, html, css, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { grantSite, isHostGrant, type BudgetChange, type LedgerEntry } from '../../release/index';
import { describeWindow } from './budget-window';
import { sharedStyles, tableStyles } from './shared-styles';
import {
  aggregateDestinations,
  destinationLabel,
  guarantees,
  reportScope,
  siteLabel,
  stateDetail,
} from './ledger-cells';

/**
 * Rows drawn at most: a ledger of ten thousand releases would otherwise be ten thousand
 * rows on every push. The export holds every entry, and `ledger-count` says how many there are.
 */
export const LEDGER_ROWS_SHOWN = 200;

/**
 * Every report that left (or waits to): whose it was (a widget host's origin or this app),
 * when, where to, mechanism, ε, delivery state, the exact payload; and every budget change
 * (a grant, a new window, a scope created), which the ledger keeps beside the releases.
 */
export class LedgerView extends LitElement {
  static override properties = { entries: { attribute: false }, changes: { attribute: false } };
  declare entries: readonly LedgerEntry[];
  declare changes: readonly BudgetChange[];

  constructor() {
    super();
    this.entries = [];
    this.changes = [];
  }

  static override styles = [
    sharedStyles,
    tableStyles,
    css`
      pre {
        max-height: 16rem;
        overflow: auto;
        font-size: 0.75rem;
        white-space: pre-wrap;
        word-break: break-all;
      }
      .scroll {
        overflow-x: auto;
      }
    `,
  ];

  private export(): void {
    const blob = new Blob([JSON.stringify(this.entries, null, 2)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `obscura-ledger-${new Date().toISOString().slice(0, 10)}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }

  private changeRows() {
    if (this.changes.length === 0) return nothing;
    return html`<h3>Budget changes</h3>
      <div class="scroll" tabindex="0" role="region" aria-label="budget changes">
        <table>
          <thead>
            <tr>
              <th scope="col">time</th>
              <th scope="col">budget</th>
              <th scope="col">total ε</th>
              <th scope="col">window</th>
            </tr>
          </thead>
          <tbody>
            ${this.changes.map(
              (c) =>
                html`<tr data-testid="budget-change-row">
                  <td>${new Date(c.time).toLocaleString()}</td>
                  <td>${budgetLabel(c.target)}</td>
                  <td>${c.totalEpsilon}</td>
                  <td>${describeWindow(c.window)}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>`;
  }

  /** How many entries there are, and how many of them are drawn. */
  private count() {
    const total = this.entries.length;
    const text =
      total === 0
        ? 'Nothing has been released.'
        : total > LEDGER_ROWS_SHOWN
          ? `Showing the newest ${LEDGER_ROWS_SHOWN} of ${total} releases; the export holds them all.`
          : `${total} release${total === 1 ? '' : 's'}.`;
    return html`<p class="muted" data-testid="ledger-count" data-count=${String(total)}>${text}</p>`;
  }

  private row(e: LedgerEntry) {
    return html`<tr
      data-testid="ledger-row"
      data-id=${e.id}
      data-scope=${reportScope(e)}
      data-host=${e.host ?? ''}
      data-state=${e.state}
    >
      <td>${new Date(e.time).toLocaleString()}</td>
      <td>${siteLabel(e)}</td>
      <td>${e.aggregate ? aggregateDestinations(e) : destinationLabel(e.destination)}</td>
      <td>${e.mechanism}</td>
      <td>${e.aggregate ? guarantees(e) : html`${e.epsilon}${e.delta ? html`, δ ${e.delta}` : ''}`}</td>
      <td data-testid="state">${e.state}${stateDetail(e)}</td>
      <td>
        <details>
          <summary>show</summary>
          <pre tabindex="0" aria-label="payload of report ${e.id}">${JSON.stringify(e.payload, null, 1)}</pre>
        </details>
      </td>
    </tr>`;
  }

  private table() {
    if (this.entries.length === 0) return nothing;
    // Newest first (the release worker sorts them so): the cut keeps what the person most likely looks for.
    const shown = this.entries.slice(0, LEDGER_ROWS_SHOWN);
    // Keyed by report id, so a new release on top does not move an open payload to another row.
    return html`<div class="scroll" tabindex="0" role="region" aria-label="ledger entries">
      <table>
        <thead>
          <tr>
            <th scope="col">time</th>
            <th scope="col">site</th>
            <th scope="col">to</th>
            <th scope="col">mechanism</th>
            <th scope="col">ε</th>
            <th scope="col">state</th>
            <th scope="col">payload</th>
          </tr>
        </thead>
        <tbody>
          ${repeat(
            shown,
            (e) => e.id,
            (e) => this.row(e),
          )}
        </tbody>
      </table>
    </div>`;
  }

  protected override render() {
    return html`<section class="card" aria-labelledby="ledger-title">
      <div class="row" style="justify-content: space-between">
        <h2 id="ledger-title">What left this device</h2>
        <button id="export-ledger" ?disabled=${this.entries.length === 0} @click=${() => this.export()}>
          Export ledger (JSON)
        </button>
      </div>
      ${this.count()} ${this.table()} ${this.changeRows()}
    </section>`;
  }
}
customElements.define('ledger-view', LedgerView);

/** Whose budget a change set: the device's, a widget host's grant (by its site) or a scope. */
function budgetLabel(target: string): string {
  if (target === '@device') return 'device-wide';
  return isHostGrant(target) ? `grant of ${grantSite(target)}` : `scope “${target}”`;
}
