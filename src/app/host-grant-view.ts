/**
 * What the app shows of each widget host's grant: the site, what it was allowed, what its
 * releases spent, and whether the person revoked it. A grant is an ordinary budget scope
 * (`grant:<site>`); revoking sets its total to 0, which stops every further charge and,
 * like every budget change, forgives none of the past ones.
 */
import {
  HOST_GRANT_EPSILON,
  grantSite,
  hostGrantName,
  isHostGrant,
  type BudgetOverview,
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
  /** Releases charged to the grant (withdrawn ones, which released nothing, left out). */
  readonly releases: number;
  /** The host origins of the site that released, as the ledger recorded them. */
  readonly origins: readonly string[];
  readonly state: HostGrantState;
  readonly config: ScopeConfig;
}

/**
 * Every host grant, by site: its spend and its releases from the running sums (a grant's window is
 * lifetime, so every charge not withdrawn still counts), and the origins of its site among the
 * ledger's hosts (`ledgerHosts`, then each delta's entries).
 */
export function hostGrantRows(overview: BudgetOverview | undefined, hosts: readonly string[]): HostGrantRow[] {
  const byGrant = new Map<string, Set<string>>();
  for (const host of hosts) {
    const grant = grantOf(host);
    if (grant) byGrant.set(grant, (byGrant.get(grant) ?? new Set<string>()).add(host));
  }
  return (overview?.scopes ?? [])
    .filter((s) => isHostGrant(s.scope))
    .map((s): HostGrantRow => ({
      name: s.scope,
      site: grantSite(s.scope),
      total: s.total,
      spent: s.spent,
      remaining: s.scopeRemaining,
      releases: s.releases,
      origins: [...(byGrant.get(s.scope) ?? [])].sort(),
      state: s.total === 0 ? 'revoked' : 'allowed',
      config: { name: s.scope, totalEpsilon: s.total, window: s.window },
    }))
    .sort((a, b) => a.site.localeCompare(b.site));
}

/** The grant a host's releases are charged to; none for an origin that could not have one. */
function grantOf(host: string): string | undefined {
  try {
    return hostGrantName(host);
  } catch {
    return undefined;
  }
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
