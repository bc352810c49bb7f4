import { LitElement, html, css, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { guard } from 'lit/directives/guard.js';
import { ledgerCursorOf, type BudgetChange, type LedgerEntry } from '../../release/index';
import { sharedStyles, tableStyles } from './shared-styles';
import { ledgerRow, showPayload } from './ledger-cells';
import { arraySource, newestFirst, type LedgerSource } from './ledger-source';
import { downloadLedger } from './ledger-export';
import { budgetChangeRows } from './budget-change-rows';
import { ledgerSearchForm, searching, type LedgerFilter } from './ledger-search';

/**
 * Rows drawn at most: one page of the ledger, whatever its size. Older pages are read by index
 * when asked for, the export streams every entry, and `ledger-count` says how many there are.
 */
export const LEDGER_ROWS_SHOWN = 200;

/** What the view reads of a LedgerDelta (release-api.ts): the entries one commit added or changed, and the count. */
export interface LedgerViewDelta {
  readonly entries: readonly LedgerEntry[];
  readonly ledgerCount: number;
}

/**
 * Every report that left (or waits to): whose it was (a widget host's origin or this app),
 * when, where to, mechanism, ε, delivery state, the exact payload; and every budget change
 * (a grant, a new window, a scope created), which the ledger keeps beside the releases.
 *
 * It shows one page of at most LEDGER_ROWS_SHOWN entries, newest first, read from `source` (the
 * release worker's `ledgerPage`), searchable by scope, site and state; or, without a source, pages
 * over `entries` (the widget frame's one grant). `applyDelta` shows a commit's entries without a re-read.
 */
export class LedgerView extends LitElement {
  static override properties = {
    source: { attribute: false },
    entries: { attribute: false },
    changes: { attribute: false },
    scopes: { attribute: false },
    rows: { state: true },
    total: { state: true },
    filter: { state: true },
    exporting: { state: true },
    failure: { state: true },
  };
  declare source: LedgerSource | undefined;
  declare entries: readonly LedgerEntry[] | undefined;
  declare changes: readonly BudgetChange[];
  /** Scope names offered in the search (the app's scopes and hosts' grants). */
  declare scopes: readonly string[];
  declare rows: LedgerEntry[];
  declare total: number;
  declare filter: LedgerFilter;
  declare exporting: boolean;
  declare failure: string;
  private held: LedgerSource | undefined;
  /** The cursor this page starts after (undefined: the newest), and those of the pages before it. */
  private start: string | undefined;
  private earlier: (string | undefined)[] = [];
  private next: string | undefined;
  private reading: Promise<void> | undefined;
  private again = false;

  constructor() {
    super();
    this.changes = [];
    this.scopes = [];
    this.rows = [];
    this.total = 0;
    this.filter = {};
    this.exporting = false;
    this.failure = '';
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
      /*
       * The rows' grid is wider than a phone: it scrolls sideways in here. Containing the inline size
       * keeps that width out of the page's layout, which would otherwise widen every column around it.
       */
      .scroll {
        overflow-x: auto;
        contain: inline-size;
      }
      form input {
        width: 10rem;
      }
      /*
       * Each row is a grid of its own over columns that do not depend on any cell's content, so a row
       * added on top or changed lays out alone, and rows out of view are neither laid out nor painted
       * (content-visibility does nothing to a table row: a table lays out and paints all of them).
       */
      table {
        display: block;
        min-width: 43rem;
      }
      thead,
      tbody {
        display: block;
      }
      tr {
        display: grid;
        grid-template-columns:
          minmax(8.5rem, 1.1fr) minmax(7rem, 1.2fr) minmax(7rem, 1fr) minmax(5rem, 0.6fr)
          minmax(4.5rem, 1fr) minmax(6rem, 1fr) minmax(5rem, 1.2fr);
      }
      th,
      td {
        min-width: 0;
        overflow-wrap: anywhere;
      }
      /*
       * The newest rows are always drawn: what the person sees first, and text that find, selection and
       * scripts (innerText) read at once wherever the ledger sits on the page; the rest wait to be near view.
       */
      tbody tr:nth-child(n + 41) {
        content-visibility: auto;
        contain-intrinsic-size: auto 2.5rem;
      }
    `,
  ];

  /** Where pages come from: the source, else the entries given. */
  private get pages(): LedgerSource | undefined {
    return this.source ?? this.held;
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('entries')) this.held = this.entries ? arraySource(this.entries) : undefined;
    if (changed.has('source') || changed.has('entries')) void this.refresh();
  }

  /**
   * Reads the page shown again (same search, same place) with its count. Calls while one read is
   * under way join it and cause one more read after it, so a burst of changes costs two reads.
   */
  refresh(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = (async () => {
      try {
        do {
          this.again = false;
          await this.load();
        } while (this.again);
      } finally {
        this.reading = undefined;
      }
    })();
    return this.reading;
  }

  private async load(): Promise<void> {
    const pages = this.pages;
    if (!pages) return;
    const { filter, start } = this;
    try {
      const page = await pages({
        ...filter,
        limit: LEDGER_ROWS_SHOWN,
        ...(start !== undefined ? { after: start } : {}),
      });
      // The person moved or searched meanwhile: the read for that is queued (`again`).
      if (filter !== this.filter || start !== this.start) return void (this.again = true);
      this.next = page.next;
      [this.rows, this.total, this.failure] = [page.entries, page.total, ''];
    } catch (err) {
      this.failure = `The ledger could not be read: ${(err as Error).message}`;
    }
  }

  /**
   * Shows one commit's entries without reading the ledger: a changed entry on this page is replaced;
   * on the newest page a new one goes on top (the oldest row makes room). Under a search, whether a
   * changed entry now matches, and how many do, is the index's to say, so that page is read again.
   */
  applyDelta(delta: LedgerViewDelta): void {
    const byId = new Map(delta.entries.map((e) => [e.id, e]));
    const shown = new Set(this.rows.map((r) => r.id));
    let rows = this.rows.map((r) => byId.get(r.id) ?? r);
    if (searching(this.filter)) {
      this.rows = rows;
      void this.refresh();
      return;
    }
    this.total = delta.ledgerCount;
    const last = rows.at(-1);
    const full = rows.length >= LEDGER_ROWS_SHOWN;
    const fresh = delta.entries.filter((e) => !shown.has(e.id) && (!full || !last || newestFirst(e, last) < 0));
    if (this.earlier.length === 0 && fresh.length > 0) {
      rows = [...rows, ...fresh].sort(newestFirst);
      if (rows.length > LEDGER_ROWS_SHOWN) {
        rows = rows.slice(0, LEDGER_ROWS_SHOWN);
        this.next = ledgerCursorOf(rows.at(-1)!);
      }
    }
    this.rows = rows;
  }

  private go(after: string | undefined, earlier: (string | undefined)[]): void {
    [this.start, this.earlier] = [after, earlier];
    void this.refresh();
  }

  private older(): void {
    if (this.next !== undefined) this.go(this.next, [...this.earlier, this.start]);
  }

  private newer(): void {
    if (this.earlier.length > 0) this.go(this.earlier.at(-1), this.earlier.slice(0, -1));
  }

  private search(filter: LedgerFilter): void {
    if (JSON.stringify(filter) === JSON.stringify(this.filter)) return;
    this.filter = filter;
    this.go(undefined, []);
  }

  private async export(): Promise<void> {
    const pages = this.pages;
    if (!pages) return;
    this.exporting = true;
    try {
      await downloadLedger(pages);
    } catch (err) {
      this.failure = `The ledger could not be exported: ${(err as Error).message}`;
    } finally {
      this.exporting = false;
    }
  }

  private pager() {
    if (this.next === undefined && this.earlier.length === 0) return nothing;
    return html`<nav class="row" aria-label="ledger pages">
      <button id="ledger-newest" ?disabled=${this.earlier.length === 0} @click=${() => this.go(undefined, [])}>
        Newest
      </button>
      <button id="ledger-newer" ?disabled=${this.earlier.length === 0} @click=${() => this.newer()}>Newer</button>
      <button id="ledger-older" ?disabled=${this.next === undefined} @click=${() => this.older()}>Older</button>
    </nav>`;
  }

  /** How many entries there are (that match the search), and which of them are drawn. */
  private count() {
    const { total } = this;
    const shown = this.rows.length;
    const from = this.earlier.length * LEDGER_ROWS_SHOWN;
    const searched = searching(this.filter);
    const what = `${searched ? 'matching ' : ''}release${total === 1 ? '' : 's'}`;
    const text =
      total === 0
        ? searched
          ? 'No release matches.'
          : 'Nothing has been released.'
        : from > 0
          ? `Showing ${from + 1}–${from + shown} of ${total} ${what}, newest first.`
          : total > shown
            ? `Showing the newest ${shown} of ${total} ${what}; the export holds them all.`
            : `${total} ${what}.`;
    return html`<p class="muted" data-testid="ledger-count" data-count=${String(total)}>${text}</p>`;
  }

  private table() {
    if (this.rows.length === 0) return nothing;
    // Keyed by report id, so a new release on top does not move an open payload to another row; a row is
    // made again only when its entry is a new object (applyDelta keeps the others), so a render of the page
    // for any other reason costs no row. The roles are the table's own, said again: its parts are drawn as
    // grids (styles), which may drop them.
    return html`<div class="scroll" tabindex="0" role="region" aria-label="ledger entries">
      <table role="table">
        <thead role="rowgroup">
          <tr role="row">
            <th scope="col" role="columnheader">time</th>
            <th scope="col" role="columnheader">site</th>
            <th scope="col" role="columnheader">to</th>
            <th scope="col" role="columnheader">mechanism</th>
            <th scope="col" role="columnheader">ε</th>
            <th scope="col" role="columnheader">state</th>
            <th scope="col" role="columnheader">payload</th>
          </tr>
        </thead>
        <tbody role="rowgroup" @toggle=${showPayload}>
          ${repeat(
            this.rows,
            (e) => e.id,
            (e) => guard([e], () => ledgerRow(e)),
          )}
        </tbody>
      </table>
    </div>`;
  }

  protected override render() {
    const empty = this.total === 0 && !searching(this.filter);
    return html`<section class="card" aria-labelledby="ledger-title">
      <div class="row" style="justify-content: space-between">
        <h2 id="ledger-title">What left this device</h2>
        <button id="export-ledger" ?disabled=${empty || this.exporting} @click=${() => void this.export()}>
          Export ledger (JSON)
        </button>
      </div>
      ${this.source ? ledgerSearchForm(this.filter, this.scopes, (f) => this.search(f)) : nothing} ${this.count()}
      ${this.failure ? html`<p role="alert" class="error">${this.failure}</p>` : nothing} ${this.table()}
      ${this.pager()} ${budgetChangeRows(this.changes)}
    </section>`;
  }
}
customElements.define('ledger-view', LedgerView);
