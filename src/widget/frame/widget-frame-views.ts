/** The widget frame's parts that only draw: its styles, the consent block, the access note, a release row. */
import { html, css, nothing } from 'lit';
import { HOST_GRANT_EPSILON, type BudgetStatus, type ReleaseQuote } from '../../release/index';
import { BUDGET_MEANING, releasesLeft } from '../../app/components/budget-words';
import type { AccessState } from './first-party-access';
import type { TrainChoice } from './widget-train';

/** A photo picked in the frame, waiting for (or past) its release. */
export interface Picked {
  readonly id: number;
  readonly name: string;
  readonly contentHash: string;
  released: boolean;
  /** The codebook's label for the person's eyes (category release); never posted to the host. */
  label?: string;
  /** The training label picker's state, when the host names a training task (widget-train.ts). */
  train?: TrainChoice;
}

export const widgetFrameStyles = css`
  :host {
    display: grid;
    /* A wide child (the ledger's table) scrolls in its own box; it never widens the release block. */
    grid-template-columns: minmax(0, 1fr);
    gap: 0.5rem;
    padding: 0.5rem;
  }
  .host {
    font-weight: 600;
    word-break: break-all;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
  }
  .error {
    color: var(--danger);
  }
  details > * {
    margin-top: 0.4rem;
  }
`;

/** Who asks, and the one button: allow (which reaches the store first if need be), or where to go on. */
export function consentView(o: {
  readonly host: string;
  readonly access: AccessState;
  readonly armed: boolean;
  /** What one release costs here, to say how many the grant allows. */
  readonly epsilon: number;
  readonly onAllow: () => void;
}) {
  return html`<p>
      <span class="host" data-testid="host-origin">${o.host}</span> asks to receive private reports of images you choose
      here. Nothing leaves without your click.
    </p>
    <p class="muted" data-testid="grant-words">
      ${BUDGET_MEANING} Allowing gives this site its own budget, ε ${HOST_GRANT_EPSILON}:
      ${releasesLeft(HOST_GRANT_EPSILON, o.epsilon, false)}; a smaller ε reveals less. You can revoke it in Obscura.
    </p>
    ${
      o.access.kind === 'window-open'
        ? html`<p data-testid="window-open" role="status">
            Continue in Obscura's window: it shows your device budget and asks you to allow this site.
          </p>`
        : html`<button class="primary" data-testid="allow-host" data-armed=${String(o.armed)} @click=${o.onAllow}>
            Allow this site (privacy budget ε ${HOST_GRANT_EPSILON})
          </button>`
    }
    ${
      o.access.kind === 'needs-click' && o.access.blocked
        ? html`<p class="error" role="alert">The browser blocked Obscura's window; allow pop-ups for this page.</p>`
        : nothing
    }`;
}

/** What the frame says while it has no first-party storage yet, or when the person revoked this site. */
export function accessNoteView(access: AccessState, budget: BudgetStatus | undefined) {
  if (access.kind === 'checking') return html`<p class="muted">Opening your Obscura budget…</p>`;
  if (budget?.total === 0)
    return html`<p data-testid="revoked" role="status">
      You revoked this site in Obscura: it releases nothing more unless you allow it again there.
    </p>`;
  return nothing;
}

/**
 * Before the click: what a release reveals about the image if everyone who receives it colludes
 * (its local guarantee; for a local release the report's own (ε, δ)), beside the central ε an
 * aggregate-only scope would state.
 */
export function localGuaranteeView(q: ReleaseQuote) {
  const delta = q.local.delta > 0 ? `, δ ${q.local.delta.toExponential(1)}` : '';
  const central = q.central ? ` (central ε ${q.central.epsilon.toPrecision(3)} if the aggregators keep apart)` : '';
  return html`<div class="row muted" data-testid="local-guarantee-before">
    What one release can reveal about the image, even if everyone who receives it works together: local ε
    ${q.local.epsilon.toPrecision(3)}${delta} per release${central}.
  </div>`;
}

export function releaseRowView(item: Picked, epsilon: number, armed: boolean, short: boolean, onClick: () => void) {
  return html`<div class="row">
    <span>${item.name}</span>
    ${item.label ? html`<span class="muted" data-testid="assigned">label ${item.label} (not sent)</span>` : nothing}
    <button
      class="primary"
      data-testid="release"
      data-armed=${String(armed)}
      ?disabled=${item.released || short}
      @click=${onClick}
    >
      ${item.released ? 'Released' : `Release (ε ${epsilon})`}
    </button>
  </div>`;
}
