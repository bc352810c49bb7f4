import { LitElement, html, css, nothing } from 'lit';
import { HOST_GRANT_EPSILON, type BudgetOverview } from '../../release/index';
import { allowedAgainGrant, hostGrantRows, revokedGrant, type HostGrantRow } from '../host-grant-view';
import { sharedStyles, tableStyles } from './shared-styles';

/**
 * The sites the person allowed a budget through the widget: what each was allowed and
 * spent, how many reports it took, and a way to revoke it (after a second, explicit click
 * in the page) or to allow it again. Changes are asked for with `configure-scope` events (a
 * ScopeConfig), the same as the budget gauge's.
 */
export class HostGrants extends LitElement {
  static override properties = {
    overview: { attribute: false },
    hosts: { attribute: false },
    confirming: { state: true },
  };
  declare overview: BudgetOverview | undefined;
  /** The origins of the widget hosts in the ledger (each once). */
  declare hosts: readonly string[];
  /** The grant whose revoke waits for the person's confirmation. */
  declare confirming: string | undefined;

  constructor() {
    super();
    this.hosts = [];
  }

  static override styles = [
    sharedStyles,
    tableStyles,
    css`
      .scroll {
        overflow-x: auto;
      }
      .amount {
        white-space: nowrap;
      }
      .revoked {
        color: var(--danger);
        font-weight: 600;
      }
    `,
  ];

  private emit(config: HostGrantRow['config']): void {
    this.confirming = undefined;
    this.dispatchEvent(new CustomEvent('configure-scope', { detail: config, bubbles: true, composed: true }));
  }

  private ask(row: HostGrantRow): void {
    this.confirming = row.name;
    this.focusAfterUpdate(row, 'confirm-revoke');
  }

  private cancel(row: HostGrantRow): void {
    this.confirming = undefined;
    this.focusAfterUpdate(row, 'revoke-host');
  }

  /** Keeps the keyboard's place: the button it was on is replaced, so the focus moves to its successor. */
  private focusAfterUpdate(row: HostGrantRow, testId: string): void {
    void this.updateComplete.then(() => {
      const tr = [...this.renderRoot.querySelectorAll<HTMLElement>('[data-testid="host-grant"]')].find(
        (el) => el.dataset['site'] === row.site,
      );
      tr?.querySelector<HTMLElement>(`[data-testid="${testId}"]`)?.focus();
    });
  }

  private actions(row: HostGrantRow) {
    if (row.state === 'revoked')
      return html`<button
        type="button"
        data-testid="allow-host-again"
        @click=${() => this.emit(allowedAgainGrant(row))}
      >
        Allow again (ε ${HOST_GRANT_EPSILON})<span class="visually-hidden"> for ${row.site}</span>
      </button>`;
    if (this.confirming !== row.name)
      return html`<button type="button" data-testid="revoke-host" @click=${() => this.ask(row)}>
        Revoke<span class="visually-hidden"> ${row.site}</span>
      </button>`;
    return html`<div role="group" aria-label="confirm revoking ${row.site}">
      <p>
        Once revoked, nothing more is released for ${row.site}. What it released stays in the ledger and still counts.
      </p>
      <div class="row">
        <button type="button" class="primary" data-testid="confirm-revoke" @click=${() => this.emit(revokedGrant(row))}>
          Revoke ${row.site}
        </button>
        <button type="button" data-testid="cancel-revoke" @click=${() => this.cancel(row)}>Cancel</button>
      </div>
    </div>`;
  }

  private row(row: HostGrantRow) {
    return html`<tr
      data-testid="host-grant"
      data-site=${row.site}
      data-total=${String(row.total)}
      data-spent=${String(row.spent)}
      data-state=${row.state}
    >
      <td>
        ${row.site} ${row.origins.length > 0 ? html`<div class="muted">from ${row.origins.join(', ')}</div>` : nothing}
      </td>
      <td class="amount">ε ${row.total}</td>
      <td class="amount">ε ${row.spent.toFixed(2)}</td>
      <td class="amount">ε ${row.remaining.toFixed(2)}</td>
      <td>${row.releases}</td>
      <td class=${row.state === 'revoked' ? 'revoked' : ''}>${row.state}</td>
      <td>${this.actions(row)}</td>
    </tr>`;
  }

  protected override render() {
    const rows = hostGrantRows(this.overview, this.hosts);
    return html`<section class="card" aria-labelledby="hosts-title">
      <h2 id="hosts-title">Sites using Obscura</h2>
      ${
        rows.length === 0
          ? html`<p class="muted">No site has been allowed a budget.</p>`
          : html`<div class="scroll" tabindex="0" role="region" aria-label="sites allowed a budget">
              <table>
                <thead>
                  <tr>
                    <th scope="col">site</th>
                    <th scope="col">budget allowed (ε)</th>
                    <th scope="col">used (ε)</th>
                    <th scope="col">left (ε)</th>
                    <th scope="col">releases</th>
                    <th scope="col">state</th>
                    <th scope="col"><span class="visually-hidden">actions</span></th>
                  </tr>
                </thead>
                <tbody>
                  ${rows.map((r) => this.row(r))}
                </tbody>
              </table>
            </div>`
      }
      <p class="muted">
        Each site may receive only as much about your images as its budget allows (ε measures it: smaller reveals less).
        Its releases draw on its own budget and on the device-wide one. Revoking stops new releases; it forgives nothing
        already spent.
      </p>
    </section>`;
  }
}
customElements.define('host-grants', HostGrants);
