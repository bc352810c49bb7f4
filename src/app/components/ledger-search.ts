import { html } from 'lit';
import type { DeliveryState, LedgerQuery } from '../../release/index';

export type LedgerFilter = Pick<LedgerQuery, 'scope' | 'host' | 'state'>;

const STATES: readonly DeliveryState[] = ['queued', 'sending', 'retrying', 'delivered', 'rejected', 'withdrawn'];

export function searching(filter: LedgerFilter): boolean {
  return filter.scope !== undefined || filter.host !== undefined || filter.state !== undefined;
}

/**
 * The ledger's search: a scope (the budget charged; a host's grant for its releases), a site (the
 * embedding page's origin) and a state, all exact. Applied on Enter, on leaving a field and on a
 * choice of state; empty fields search nothing.
 */
export function ledgerSearchForm(
  filter: LedgerFilter,
  scopes: readonly string[],
  onSearch: (filter: LedgerFilter) => void,
) {
  const submit = (ev: Event) => {
    ev.preventDefault();
    const data = new FormData(ev.currentTarget as HTMLFormElement);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    onSearch({
      ...(text('scope') ? { scope: text('scope') } : {}),
      ...(text('host') ? { host: text('host') } : {}),
      ...(text('state') ? { state: text('state') as DeliveryState } : {}),
    });
  };
  return html`<form class="row" role="search" aria-label="search the ledger" @submit=${submit} @change=${submit}>
    <label
      >scope <input id="ledger-scope" name="scope" list="ledger-scopes" autocomplete="off" .value=${filter.scope ?? ''}
    /></label>
    <datalist id="ledger-scopes">${scopes.map((s) => html`<option value=${s}></option>`)}</datalist>
    <label
      >site <input id="ledger-host" name="host" placeholder="https://…" autocomplete="off" .value=${filter.host ?? ''}
    /></label>
    <label
      >state
      <select id="ledger-state" name="state">
        <option value="">any</option>
        ${STATES.map((s) => html`<option value=${s} ?selected=${filter.state === s}>${s}</option>`)}
      </select></label
    >
    <button type="submit">Search</button>
  </form>`;
}
