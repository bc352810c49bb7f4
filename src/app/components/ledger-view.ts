import { LitElement, html, css, nothing } from 'lit';
import type { BudgetChange, LedgerEntry } from '../../release/index';
import { describeWindow } from './budget-window';
import { sharedStyles } from './shared-styles';
import { guaranteeText } from './aggregate-scope-text';

/**
 * Every report that left (or waits to): when, where to, mechanism, ε, delivery state, the
 * exact payload; and every budget change (a grant, a new window, a scope created), which the
 * ledger keeps beside the releases.
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
    css`
      table {
        width: 100%;
        border-collapse: collapse;
        font-size: 0.9rem;
      }
      th,
      td {
        text-align: left;
        padding: 0.3rem;
        border-bottom: 1px solid var(--line);
        vertical-align: top;
      }
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
                  <td>${c.target === '@device' ? 'device-wide' : `scope “${c.target}”`}</td>
                  <td>${c.totalEpsilon}</td>
                  <td>${describeWindow(c.window)}</td>
                </tr>`,
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
      ${
        this.entries.length === 0
          ? html`<p class="muted">Nothing has been released.</p>`
          : html`<div class="scroll" tabindex="0" role="region" aria-label="ledger entries">
              <table>
                <thead>
                  <tr>
                    <th scope="col">time</th>
                    <th scope="col">to</th>
                    <th scope="col">mechanism</th>
                    <th scope="col">ε</th>
                    <th scope="col">state</th>
                    <th scope="col">payload</th>
                  </tr>
                </thead>
                <tbody>
                  ${this.entries.map(
                    (e) =>
                      html`<tr data-testid="ledger-row">
                        <td>${new Date(e.time).toLocaleString()}</td>
                        <td>${e.aggregate ? aggregateDestinations(e) : destinationLabel(e.destination)}</td>
                        <td>${e.mechanism}</td>
                        <td>
                          ${e.aggregate ? guarantees(e) : html`${e.epsilon}${e.delta ? html`, δ ${e.delta}` : ''}`}
                        </td>
                        <td data-testid="state">${e.state}${stateDetail(e)}</td>
                        <td>
                          <details>
                            <summary>show</summary>
                            <pre tabindex="0" aria-label="payload of report ${e.id}">
${JSON.stringify(e.payload, null, 1)}</pre>
                          </details>
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
      }
      ${this.changeRows()}
    </section>`;
  }
}
customElements.define('ledger-view', LedgerView);

/** A collector URL's host; a destination that is not a URL (`host page <origin>`) as it is. */
function destinationLabel(destination: string): string {
  return URL.canParse(destination) ? new URL(destination).host : destination;
}

/** Why a report was refused, or when it is tried again. */
function stateDetail(e: LedgerEntry) {
  if (e.state === 'rejected' && e.error)
    return html`<div class="muted" data-testid="state-reason">${e.error.name}: ${e.error.message}</div>`;
  if (e.state === 'retrying' && e.nextAttemptAt !== undefined)
    return html`<div class="muted" data-testid="state-reason">
      next attempt ${new Date(e.nextAttemptAt).toLocaleTimeString()}${e.error ? html` (${e.error.name})` : ''}
    </div>`;
  return '';
}

/** Both aggregators and where each share is. */
function aggregateDestinations(e: LedgerEntry) {
  const d = e.aggregate!.deliveries;
  return html`leader ${destinationLabel(d.leader.destination)} (${d.leader.state})<br />helper
    ${destinationLabel(d.helper.destination)} (${d.helper.state})`;
}

/** The charged central guarantee and the local one that remains if the aggregators collude. */
function guarantees(e: LedgerEntry) {
  const a = e.aggregate!;
  return html`<div data-testid="central-guarantee">
      central ${guaranteeText(a.central)} if ${a.scope.trust}, with a batch of real devices
    </div>
    <div data-testid="local-guarantee" class="muted">
      local ${guaranteeText(a.local)} if they collude or fake the batch
    </div>`;
}
