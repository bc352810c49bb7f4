/**
 * A widget host's one grant: the budget scope that every release for that host's site draws
 * from, whatever `scope` attribute the host sets. The person allows a site once; a host that
 * switches its scope, port or subdomain finds the same grant, already partly spent.
 *
 * A site is the scheme and the registrable domain (what browsers partition storage by). With
 * no public-suffix list at hand, the registrable domain is taken as the last two labels, or
 * three where the second-level label is a common public one under a country code
 * (`shop.example.co.uk` → `example.co.uk`); IP addresses and single-label hosts are their own
 * site. The error is always toward fewer grants (two sites under an unlisted public suffix
 * would share one), never toward a host getting more.
 */
import { ObscuraError } from '../errors';

/** The prefix of every grant's scope name. */
export const GRANT_PREFIX = 'grant:';
/** What the person allows a site with one click: a lifetime ε inside the device budget. */
export const HOST_GRANT_EPSILON = 4;

const PUBLIC_SECOND_LEVEL = new Set(['co', 'com', 'net', 'org', 'gov', 'edu', 'ac', 'or', 'ne', 'go', 'gv']);
const KEPT = /^[A-Za-z0-9.-]$/;
const GRANT_NAME = /^[A-Za-z0-9._:-]{1,128}$/;

/** The site (scheme://registrable-domain) of an origin. */
export function siteOf(origin: string): string {
  const url = new URL(origin);
  const host = url.hostname.toLowerCase();
  const ip = /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.startsWith('[');
  const labels = host.split('.');
  let keep = 2;
  const second = labels[labels.length - 2];
  const top = labels[labels.length - 1];
  if (second !== undefined && top?.length === 2 && PUBLIC_SECOND_LEVEL.has(second)) keep = 3;
  const domain = ip || labels.length <= keep ? host : labels.slice(-keep).join('.');
  return `${url.protocol}//${domain}`;
}

/** Escapes into letters, digits, `.`, `-` and `_XX` (every other byte, `_` too): reversible, never `:`. */
export function escapeName(text: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && KEPT.test(ch) ? ch : `_${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Reverses escapeName. */
export function unescapeName(escaped: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < escaped.length; i++) {
    if (escaped[i] === '_') {
      bytes.push(parseInt(escaped.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(escaped.charCodeAt(i));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
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

/** The site a grant belongs to (scheme://domain). */
export function grantSite(scopeName: string): string {
  return unescapeName(scopeName.slice(GRANT_PREFIX.length));
}
