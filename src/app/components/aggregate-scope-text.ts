/** Plain words for an aggregate-only scope's guarantees, shared by the scope settings and the ledger. */
import { html } from 'lit';
import {
  APPROX_DELTA_MAX,
  type AggregateScope,
  type Guarantee,
  type ReleaseQuote,
  type ScopeConfig,
} from '../../release/index';

const host = (url: string) => (URL.canParse(url) ? new URL(url).host : url);

/** The trust assumption, the two aggregators and n_min, as the person reads them before releasing. */
export function describeAggregateScope(a: AggregateScope) {
  return html`<strong>Aggregate-only.</strong> Each release is split into two shares: one to the leader
    <code>${host(a.leader)}</code>, one to the helper <code>${host(a.helper)}</code>. They only publish sums of at least
    <span data-testid="scope-nmin">${a.nMin}</span> people. Central ε ${a.epsilon} per release holds if
    <span data-testid="scope-trust">${a.trust}</span> and the other reports of each batch come from real devices (the
    noise of all of them hides yours); if they collude, or fill a batch with reports of their own, only your own noise
    share protects you.`;
}

/**
 * Before the click: what one release into an aggregate-only scope guarantees if the aggregators
 * collude (this person's noise share alone), beside the central ε that is charged.
 */
export function localGuaranteeBefore(q: ReleaseQuote) {
  return html`<p data-testid="local-guarantee-before">
    What this release can reveal about the image (ε: smaller reveals less): central
    ${q.central ? guaranteeText(q.central) : 'none'} if the aggregators keep apart; if they collude, only
    <strong>local ${guaranteeText(q.local)}</strong> protects this image.
  </p>`;
}

/** A guarantee as "ε 1.00, δ 1e-6"; a δ of 1 is no guarantee at all and says so. */
export function guaranteeText(g: Guarantee): string {
  if (!(g.delta < 1)) return 'none (δ = 1)';
  return `ε ${g.epsilon.toPrecision(3)}, δ ${g.delta.toExponential(1)}`;
}

/** The aggregate part of a new scope from the create form's fields. */
export function aggregateScopeOf(value: (name: string) => string): Pick<ScopeConfig, 'mode' | 'aggregate'> {
  return {
    mode: 'aggregate-only',
    aggregate: {
      leader: value('scope-leader').trim(),
      helper: value('scope-helper').trim(),
      nMin: Number(value('scope-nmin')),
      trust: value('scope-trust'),
      epsilon: Number(value('scope-epsilon')),
      delta: APPROX_DELTA_MAX,
      dims: Number(value('scope-dims')),
    },
  };
}
