/**
 * What the app shows of each widget host's grant: the site, what it was allowed, what its
 * releases spent, and whether the person revoked it. A grant is an ordinary budget scope
 * (`grant:<site>`); revoking sets its total to 0, which stops every further charge and,
 * like every budget change, forgives none of the past ones.
 */
import {
  HOST_GRANT_EPSILON,
  grantSite,
  isHostGrant,
  type BudgetOverview,
  type LedgerEntry,
  type ScopeConfig,
} from '../release/index';

export type HostGrantState = 'allowed' | 'revoked';

export interface HostGrantRow {
  /** The grant's scope name. */
  readonly name: string;
  /** scheme://registrable-domain, as the grant was made for. */
  readonly site: string;
  readonly total: number;
  readonly spent: number;
  /** The grant's own remainder (the device-wide budget may leave less). */
  readonly remaining: number;
  /** Ledger entries charged to the grant. */
  readonly releases: number;
  /** The host origins of the site that released, as the ledger recorded them. */
  readonly origins: readonly string[];
  readonly state: HostGrantState;
  readonly config: ScopeConfig;
}

/** Every host grant, by site, with its releases counted from the ledger. */
export function hostGrantRows(overview: BudgetOverview | undefined, entries: readonly LedgerEntry[]): HostGrantRow[] {
  const byGrant = new Map<string, { releases: number; origins: Set<string> }>();
  for (const e of entries) {
    if (!isHostGrant(e.scope)) continue;
    const seen = byGrant.get(e.scope) ?? { releases: 0, origins: new Set<string>() };
    seen.releases++;
    if (e.host !== undefined) seen.origins.add(e.host);
    byGrant.set(e.scope, seen);
  }
  return (overview?.scopes ?? [])
    .filter((s) => isHostGrant(s.scope))
    .map((s): HostGrantRow => {
      const seen = byGrant.get(s.scope);
      return {
        name: s.scope,
        site: grantSite(s.scope),
        total: s.total,
        spent: s.spent,
        remaining: s.scopeRemaining,
        releases: seen?.releases ?? 0,
        origins: [...(seen?.origins ?? [])].sort(),
        state: s.total === 0 ? 'revoked' : 'allowed',
        config: { name: s.scope, totalEpsilon: s.total, window: s.window },
      };
    })
    .sort((a, b) => a.site.localeCompare(b.site));
}

/** Revoking: the grant's total drops to 0, so nothing more is charged to it (its window stays). */
export function revokedGrant(row: HostGrantRow): ScopeConfig {
  return { ...row.config, totalEpsilon: 0 };
}

/**
 * Allowing again: the one-click grant's ε once more. What the site spent before still
 * counts against it, so it gets back only what is left of that.
 */
export function allowedAgainGrant(row: HostGrantRow): ScopeConfig {
  return { ...row.config, totalEpsilon: HOST_GRANT_EPSILON };
}
