import { html } from 'lit';
import type { LedgerEntry } from '../../release/index';
import { guaranteeText } from './aggregate-scope-text';
import { localTimeText } from '../time-text';

/**
 * The report's own scope: a widget host's release is charged to that host's grant
 * (`entry.scope`) but its report keeps the scope the host named, which is what a script
 * matching rows to reports wants. Aggregate shares carry no scope: the charged one is theirs.
 */
export function reportScope(e: LedgerEntry): string {
  const payload = e.payload;
  return 'scope' in payload && typeof payload.scope === 'string' ? payload.scope : e.scope;
}

/** Whose release it was: the embedding page's origin, or the app itself. */
export function siteLabel(e: LedgerEntry): string {
  return e.host ?? 'this app';
}

/** A collector URL's host; a destination that is not a URL (`host page <origin>`) as it is. */
export function destinationLabel(destination: string): string {
  return URL.canParse(destination) ? new URL(destination).host : destination;
}

/** Why a report was refused, or when it is tried again. */
export function stateDetail(e: LedgerEntry) {
  if ((e.state === 'rejected' || e.state === 'withdrawn') && e.error)
    return html`<div class="muted" data-testid="state-reason">${e.error.name}: ${e.error.message}</div>`;
  // A queued report with a next attempt waits, unsent, for its collector's task to be readable.
  if ((e.state === 'retrying' || e.state === 'queued') && e.nextAttemptAt !== undefined)
    return html`<div class="muted" data-testid="state-reason">
      next attempt ${new Date(e.nextAttemptAt).toLocaleTimeString()}${e.error ? html` (${e.error.name})` : ''}
    </div>`;
  return '';
}

/** Both aggregators and where each share is. */
export function aggregateDestinations(e: LedgerEntry) {
  const d = e.aggregate!.deliveries;
  return html`leader ${destinationLabel(d.leader.destination)} (${d.leader.state})<br />helper
    ${destinationLabel(d.helper.destination)} (${d.helper.state})`;
}

/** The charged central guarantee and the local one that remains if the aggregators collude, words first. */
export function guarantees(e: LedgerEntry) {
  const a = e.aggregate!;
  return html`<div data-testid="central-guarantee">
      What it reveals if ${a.scope.trust}, with a batch of real devices: central ${guaranteeText(a.central)}
    </div>
    <div data-testid="local-guarantee" class="muted">
      If they collude or fake the batch: local ${guaranteeText(a.local)}
    </div>`;
}

/** One release as a table row; its data-* attributes are what scripts and tests match rows by. */
export function ledgerRow(e: LedgerEntry) {
  return html`<tr
    role="row"
    data-testid="ledger-row"
    data-id=${e.id}
    data-scope=${reportScope(e)}
    data-host=${e.host ?? ''}
    data-state=${e.state}
  >
    <td role="cell">${localTimeText(e.time)}</td>
    <td role="cell">${siteLabel(e)}</td>
    <td role="cell">${e.aggregate ? aggregateDestinations(e) : destinationLabel(e.destination)}</td>
    <td role="cell">${e.mechanism}</td>
    <td role="cell">${e.aggregate ? guarantees(e) : html`${e.epsilon}${e.delta ? html`, δ ${e.delta}` : ''}`}</td>
    <td role="cell" data-testid="state">${e.state}${stateDetail(e)}</td>
    <td role="cell">
      <details>
        <summary>show</summary>
        <pre tabindex="0" aria-label="payload of report ${e.id}" .payload=${e.payload}></pre>
      </details>
    </td>
  </tr>`;
}

/**
 * The payload's text is made when it is first opened: a page of closed rows costs no JSON. One listener
 * for every row's payload (`toggle` does not bubble: it is caught on its way down), not one per row.
 */
export const showPayload = {
  capture: true,
  handleEvent(event: Event): void {
    const details = event.target;
    if (!(details instanceof HTMLDetailsElement) || !details.open) return;
    const pre = details.querySelector('pre') as (HTMLPreElement & { payload?: unknown }) | null;
    if (pre && !pre.textContent) pre.textContent = JSON.stringify(pre.payload, null, 1);
  },
};
