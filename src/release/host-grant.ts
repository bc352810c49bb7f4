/**
 * A widget host's one grant: the budget scope that every release for that host site draws
 * from, whatever `scope` attribute or port the host uses. The person allows a site once; a host
 * that switches its scope or port finds the same grant, already partly spent.
 *
 * The site here is the scheme and the host name, without the port. Browsers partition storage by
 * the registrable domain, which needs the Public Suffix List; a guess without it would merge
 * hosts that are not one site (`alice.github.io` and `bob.github.io`), handing one the grant the
 * person gave the other and telling it what the other spent. So each host name is its own site:
 * subdomains of one domain ask for their own grants, each with the person's own click, and all of
 * them draw from the one device budget.
 */
import { ObscuraError } from '../errors';
import { escapeName, unescapeName } from '../report/scope-escape';

export { escapeName, unescapeName };

/** The prefix of every grant's scope name. */
export const GRANT_PREFIX = 'grant:';
/** What the person allows a site with one click: a lifetime ε inside the device budget. */
export const HOST_GRANT_EPSILON = 4;

const GRANT_NAME = /^[A-Za-z0-9._:-]{1,128}$/;

/** The site (scheme://host-name, without the port) of an origin. */
export function siteOf(origin: string): string {
  const url = new URL(origin);
  return `${url.protocol}//${url.hostname.toLowerCase()}`;
}

/** The grant's budget scope for a host origin (every origin of one site gets the same). */
export function hostGrantName(origin: string): string {
  const name = GRANT_PREFIX + escapeName(siteOf(origin));
  if (!GRANT_NAME.test(name))
    throw new ObscuraError('InvalidParameterError', `the host site of ${origin} is too long for a grant name`);
  return name;
}

export function isHostGrant(scopeName: string): boolean {
  return scopeName.startsWith(GRANT_PREFIX);
}

/** The site a grant belongs to (scheme://host-name). */
export function grantSite(scopeName: string): string {
  return unescapeName(scopeName.slice(GRANT_PREFIX.length));
}
