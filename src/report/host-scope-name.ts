/**
 * Each host origin's scopes inside the device-wide budget. A scope name is
 * `site:` + the origin, escaped + `:` + the host's scope attribute. The escaping keeps
 * letters, digits, `.` and `-`, and writes every other byte as `_` and two hex digits
 * (`_` itself too), so it is reversible and never holds `:`; the host's scope never holds
 * `:` either. Two different (origin, scope) pairs therefore never share a name, and one
 * host's names all start with a prefix no other host's names start with.
 *
 * Here, below the widget, so that a tasks file's readable widget form (task.ts), the CLI's
 * `widget-scope` and the widget's frame all name a host's scope with this one function.
 */
import { ObscuraError } from '../errors';
import { escapeName, unescapeName } from './scope-escape';

const HOST_SCOPE = /^[A-Za-z0-9._-]{1,64}$/;
/** The ledger's rule for scope names. */
const SCOPE_NAME = /^[A-Za-z0-9._:-]{1,128}$/;

/** The origin, escaped into letters, digits, `.`, `-` and `_`. */
export function escapeOrigin(origin: string): string {
  return escapeName(origin);
}

/** Every scope name of this host origin starts with this. */
export function hostScopePrefix(origin: string): string {
  return `site:${escapeOrigin(origin)}:`;
}

/** The ledger scope of the host's `scope` attribute (default `default`); InvalidParameterError if it cannot be one. */
export function hostScopeName(origin: string, scope = 'default'): string {
  if (!HOST_SCOPE.test(scope)) {
    throw new ObscuraError(
      'InvalidParameterError',
      `expected a scope of 1 to 64 letters, digits or . _ -, got ${scope}`,
    );
  }
  const name = hostScopePrefix(origin) + scope;
  if (!SCOPE_NAME.test(name)) {
    throw new ObscuraError(
      'InvalidParameterError',
      `the host origin ${origin} is too long for a scope name (${name.length} of 128 characters)`,
    );
  }
  return name;
}

const ESCAPED = /^(?:[A-Za-z0-9.-]|_[0-9A-F]{2})+$/;

/**
 * A host's scope name read back into the origin (unescaped) and the host's scope, for people to
 * read; undefined for a name hostScopeName cannot have made.
 */
export function hostScopeOf(name: string): { readonly origin: string; readonly scope: string } | undefined {
  const parts = name.split(':');
  if (parts.length !== 3 || parts[0] !== 'site' || !ESCAPED.test(parts[1]!) || !HOST_SCOPE.test(parts[2]!))
    return undefined;
  const origin = unescapeName(parts[1]!);
  // Only the one escaping of an origin reads back (no lower-case hex, no bytes that are not UTF-8).
  return escapeName(origin) === parts[1] ? { origin, scope: parts[2]! } : undefined;
}

/** Whether a ledger scope belongs to this host origin. */
export function isHostScope(origin: string, scopeName: string): boolean {
  return scopeName.startsWith(hostScopePrefix(origin));
}

/**
 * A host page's origin as its browser serialises it, from what a person typed
 * (`https://Shop.example:443/` is `https://shop.example`), or undefined when the text is not an
 * http(s) origin: a path, query, fragment or user name is refused, not trimmed, since the
 * widget's scope depends on the origin alone.
 */
export function hostOriginOf(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const bare = url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '' && !url.password;
  return bare && (url.protocol === 'https:' || url.protocol === 'http:') ? url.origin : undefined;
}
