import { LitElement, html, css, nothing } from 'lit';
import type { ReleaseBridge } from '../../client/index';
import type { LedgerEntry, ScopeConfig, TrainExampleSummary, TrainTask, TrainTaskRef } from '../../release/index';
import { guaranteeText } from './aggregate-scope-text';
import { sharedStyles } from './shared-styles';

/** One of the person's own photos on this page, as the label picker offers it. */
export interface TrainPhoto {
  readonly name: string;
  readonly contentHash: string;
  /** blob: URL of its preview while it is shown; none for a photo on another page of results. */
  readonly previewUrl?: string;
}

/**
 * A training task the collector declares, for the person: a label picker over the task's labels on
 * their own photos (each choice keeps the photo's features and label on this device; "not labelled"
 * removes it), a button that joins the open round, and the ledger rows of the rounds joined (round,
 * codebook version, central and local guarantee, and the round's outcome once read). The scope the
 * rounds are charged to is created on the first join, with the budget `scopeBudget` gives.
 * Errors bubble as `train-error` events (the page lists them); nothing here leaves the device but
 * what `joinTrainingRound` sends.
 */
export class TrainingPanel extends LitElement {
  static override properties = {
    task: { attribute: false },
    collector: { type: String },
    photos: { attribute: false },
    scopeExists: { type: Boolean },
    examples: { state: true },
    rows: { state: true },
    joining: { state: true },
  };
  declare task: TrainTask | undefined;
  /** The collector's URL (its base or its reports URL). */
  declare collector: string;
  declare photos: readonly TrainPhoto[];
  /** Whether the task's scope exists on this device already. */
  declare scopeExists: boolean;
  declare examples: TrainExampleSummary[];
  declare rows: LedgerEntry[];
  declare joining: boolean;
  releases: ReleaseBridge | undefined;
  /** The budget a first join creates the task's scope with (it still draws from the device-wide one). */
  scopeBudget: () => Pick<ScopeConfig, 'totalEpsilon' | 'window'> = () => ({
    totalEpsilon: 10,
    window: { kind: 'lifetime' },
  });
  private stopListening: (() => void) | undefined;
  private loadedFor = '';

  constructor() {
    super();
    this.collector = '';
    this.photos = [];
    this.scopeExists = false;
    this.examples = [];
    this.rows = [];
    this.joining = false;
  }

  static override styles = [
    sharedStyles,
    css`
      ul {
        list-style: none;
        padding: 0;
        margin: 0 0 0.6rem;
        display: grid;
        gap: 0.4rem;
      }
      li {
        display: grid;
        grid-template-columns: 48px minmax(0, 1fr) auto;
        align-items: center;
        gap: 0.5rem;
      }
      img,
      .blank {
        width: 48px;
        height: 48px;
        object-fit: cover;
        border-radius: 4px;
      }
      .name {
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      table {
        border-collapse: collapse;
        width: 100%;
        margin-top: 0.6rem;
      }
      th,
      td {
        text-align: left;
        padding: 0.2rem 0.4rem;
        border-bottom: 1px solid var(--border, #ccc);
      }
    `,
  ];

  private get ref(): TrainTaskRef | undefined {
    return this.task && this.collector ? { collector: this.collector, task: this.task.scope } : undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // A round joined from another tab, or an outcome read, shows here too.
    this.stopListening = this.releases?.onDelta((delta) => {
      if (delta.entries.some((e) => e.aggregate?.train && e.scope === this.task?.scope)) void this.loadRows();
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopListening?.();
  }

  protected override updated(): void {
    const key = this.ref ? `${this.ref.collector} ${this.ref.task}` : '';
    if (key === this.loadedFor) return;
    this.loadedFor = key;
    void this.load();
  }

  private fail(err: unknown): void {
    this.dispatchEvent(new CustomEvent('train-error', { detail: err, bubbles: true, composed: true }));
  }

  private async load(): Promise<void> {
    const ref = this.ref;
    if (!ref || !this.releases) return;
    try {
      this.examples = await this.releases.trainExamples(ref);
      // Rounds that closed since the last visit: their rows learn whether they were released.
      await this.releases.refreshTrainingRounds(ref);
      await this.loadRows();
    } catch (err) {
      this.fail(err);
    }
  }

  private async loadRows(): Promise<void> {
    const scope = this.task?.scope;
    if (!scope || !this.releases) return;
    // Before the first join the task's scope does not exist yet: no rows.
    const rows = await this.releases.ledger(scope).catch(() => []);
    // In the order of the rounds, as a task's history reads.
    this.rows = rows
      .filter((e) => e.aggregate?.train)
      .sort((a, b) => a.aggregate!.train!.round - b.aggregate!.train!.round);
  }

  private async label(photo: TrainPhoto, label: string): Promise<void> {
    const ref = this.ref;
    if (!ref || !this.releases) return;
    try {
      if (label === '') {
        const ids = this.examples.filter((e) => e.contentHash === photo.contentHash).map((e) => e.id);
        await this.releases.removeTrainExamples(ref, ids);
      } else {
        await this.releases.addTrainExample(photo.contentHash, ref, label);
      }
    } catch (err) {
      this.fail(err);
    }
    this.examples = await this.releases.trainExamples(ref).catch(() => this.examples);
  }

  private async join(): Promise<void> {
    const ref = this.ref;
    if (!ref || !this.releases) return;
    this.joining = true;
    try {
      if (!this.scopeExists) {
        await this.releases.createScope({ name: ref.task, ...this.scopeBudget() });
        this.scopeExists = true;
      }
      // The rounds joined before learn their outcome first (released, or expired with nothing released).
      await this.releases.refreshTrainingRounds(ref);
      await this.releases.joinTrainingRound(ref);
      await this.loadRows();
    } catch (err) {
      this.fail(err);
    } finally {
      this.joining = false;
    }
  }

  private photoRow(photo: TrainPhoto, labels: readonly string[]) {
    const current = this.examples.find((e) => e.contentHash === photo.contentHash)?.label ?? '';
    return html`<li data-testid="train-photo">
      ${photo.previewUrl ? html`<img src=${photo.previewUrl} alt="" />` : html`<span class="blank"></span>`}
      <span class="name">${photo.name}</span>
      <select
        data-testid="train-label"
        aria-label=${`Label of ${photo.name}`}
        @change=${(e: Event) => void this.label(photo, (e.target as HTMLSelectElement).value)}
      >
        <option value="" ?selected=${current === ''}>not labelled</option>
        ${labels.map((l) => html`<option value=${l} ?selected=${current === l}>${l}</option>`)}
      </select>
    </li>`;
  }

  private outcomeText(e: LedgerEntry): string {
    const o = e.aggregate?.train?.outcome;
    if (!o) return 'round open or not read yet';
    if (o.state === 'expired') return 'expired: fewer than n_min devices, nothing released';
    return `released: summed with ${o.count ?? '?'} devices into version ${o.version ?? '?'}`;
  }

  private rowsTable() {
    if (this.rows.length === 0) return nothing;
    return html`<table data-testid="train-rows">
      <caption class="muted">
        Rounds joined (each charged before its shares left)
      </caption>
      <thead>
        <tr>
          <th scope="col">Round</th>
          <th scope="col">Codebook version</th>
          <th scope="col">Central (aggregators apart, n_min honest devices)</th>
          <th scope="col">Local (if they collude)</th>
          <th scope="col">Shares</th>
          <th scope="col">Outcome</th>
        </tr>
      </thead>
      <tbody>
        ${this.rows.map(
          (e) =>
            html`<tr data-testid="train-row">
              <td data-testid="train-round">${e.aggregate!.train!.round}</td>
              <td data-testid="train-version">${e.aggregate!.train!.codebookVersion}</td>
              <td data-testid="train-central">${guaranteeText(e.aggregate!.central)}</td>
              <td data-testid="train-local">${guaranteeText(e.aggregate!.local)}</td>
              <td data-testid="train-delivery">${e.state}</td>
              <td data-testid="train-outcome">${this.outcomeText(e)}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
  }

  protected override render() {
    const task = this.task;
    if (!task) return nothing;
    const count = this.examples.length;
    return html`<section class="card" aria-labelledby="train-title" data-testid="training">
      <h2 id="train-title">Train codebook ${task.codebook}</h2>
      <p class="muted">
        Label your own photos. The photos, their features and your labels stay on this device. Joining a round sends one
        clipped, noised update split into two shares, one to each aggregator; it is charged to scope
        <code>${task.scope}</code> first.
      </p>
      ${
        this.photos.length === 0
          ? html`<p class="muted">Add photos above to label them.</p>`
          : html`<ul aria-label="your photos">
              ${this.photos.map((p) => this.photoRow(p, task.labels))}
            </ul>`
      }
      <p data-testid="train-examples">${count === 1 ? '1 labelled example' : `${count} labelled examples`} here</p>
      <button
        class="primary"
        data-testid="join-round"
        ?disabled=${count === 0 || this.joining}
        @click=${() => void this.join()}
      >
        ${this.joining ? 'Joining…' : 'Join the open round'}
      </button>
      ${this.rowsTable()}
    </section>`;
  }
}
customElements.define('training-panel', TrainingPanel);
