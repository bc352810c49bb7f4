import { LitElement, html, css, nothing } from 'lit';
import { sharedStyles } from './shared-styles';
import './feature-strip';

/** What the page knows about one extracted image. The clean vector stays in the page. */
export interface ResultItem {
  readonly id: string;
  readonly name: string;
  /** A small JPEG of the image (made here, never sent); the list gives it an object URL while it is shown. */
  readonly preview: Blob;
  readonly clean: Float32Array;
  readonly dims: number;
  readonly backend: string;
  readonly ms: number;
  /** For videos: how many frames were pooled. */
  readonly frames?: number;
  /** The extraction's content hash: what a release refers to (the release worker has its vector). Videos have none. */
  readonly contentHash?: string;
  /** The privatized vector that would leave (or left), and its cosine similarity to the clean one. */
  noisy?: readonly number[];
  cosine?: number;
  /** A category release: the label assigned here and what left instead of the vector. */
  category?: CategoryShown;
  released?: boolean;
}

/** What the card shows of a category release. */
export interface CategoryShown {
  readonly codebook: string;
  /** The label the codebook assigned on this device (never sent). */
  readonly assigned: string;
  readonly mechanism: 'krr' | 'oue';
  /** k-RR: the randomized label index that left, and its label. */
  readonly value?: number;
  readonly valueLabel?: string;
  /** OUE: the randomized bits that left, and the labels whose bit is set. */
  readonly bits?: readonly (0 | 1)[];
  readonly bitLabels?: readonly string[];
}

/** The report's category in words: the value and its label (k-RR), or the bits and the labels they set (OUE). */
function sentText(c: CategoryShown): string {
  if (c.value !== undefined) return `label ${c.value}: ${c.valueLabel ?? '?'}`;
  const set = c.bitLabels && c.bitLabels.length > 0 ? c.bitLabels.join(', ') : 'none';
  return `bits ${(c.bits ?? []).join('')} (set: ${set})`;
}

/** One image: the picture, its clean features, the noisy report and their similarity. */
export class ResultCard extends LitElement {
  static override properties = { item: { attribute: false }, previewUrl: { attribute: false } };
  declare item: ResultItem;
  /** blob: URL of the preview, shown locally; the list revokes it once the card is no longer shown. */
  declare previewUrl: string | undefined;

  static override styles = [
    sharedStyles,
    css`
      .card {
        display: grid;
        grid-template-columns: minmax(80px, 140px) 1fr;
        gap: 0.8rem;
        align-items: start;
      }
      img {
        width: 100%;
        border-radius: 6px;
        aspect-ratio: 1;
        object-fit: cover;
      }
      dl {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 0.2rem 0.6rem;
        margin: 0.4rem 0 0;
        font-size: 0.9rem;
      }
      dt {
        color: var(--muted);
      }
      dd {
        margin: 0;
      }
      .strip {
        margin: 0.3rem 0;
      }
      @media (max-width: 420px) {
        .card {
          grid-template-columns: 1fr;
        }
        img {
          max-width: 160px;
        }
      }
    `,
  ];

  protected override render() {
    const r = this.item;
    return html`<article class="card" aria-label="result for ${r.name}">
      <img src=${this.previewUrl ?? ''} alt="${r.name} (kept on this device)" />
      <div>
        <strong>${r.name}</strong>${r.frames ? html` <span class="muted">(${r.frames} frames pooled)</span>` : nothing}
        <div class="strip">
          <span class="muted">Clean features (never sent)</span
          ><feature-strip .values=${r.clean} label="clean features of ${r.name}"></feature-strip>
        </div>
        ${
          r.noisy
            ? html`<div class="strip">
                <span class="muted">Privatized report (what leaves)</span
                ><feature-strip .values=${r.noisy} label="privatized report of ${r.name}"></feature-strip>
              </div>`
            : nothing
        }
        <dl>
          <dt>dimensions</dt>
          <dd>${r.dims}</dd>
          <dt>backend</dt>
          <dd>${r.backend}, ${r.ms.toFixed(0)} ms</dd>
          ${
            r.category
              ? html`<dt>assigned here</dt>
                  <dd data-testid="assigned-label">
                    ${r.category.assigned} (codebook ${r.category.codebook}, never sent)
                  </dd>
                  <dt>what left</dt>
                  <dd data-testid="released-category">${sentText(r.category)} (${r.category.mechanism})</dd>`
              : nothing
          }
          ${
            r.cosine !== undefined
              ? html`<dt>similarity</dt>
                  <dd data-testid="cosine">${r.cosine.toFixed(3)} (cosine, report vs clean)</dd>`
              : nothing
          }
        </dl>
        <slot></slot>
      </div>
    </article>`;
  }
}
customElements.define('result-card', ResultCard);
