/**
 * The addresses a deployment of `npm start` is reached at: the app's public origin (which must be
 * a secure context), the collector's address under that name, and the app's address on this machine.
 */
import { ObscuraError } from '../src/errors';

/** Host names a browser treats as a secure context over plain http (the loopback interface). */
export function isLoopbackName(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * The origin of `url`, the app's public address. Refused (InvalidParameterError) unless it is a
 * bare origin that browsers treat as a secure context: https, or http on the loopback interface,
 * and not http when this server itself serves https (`servesHttps`).
 */
export function publicOriginOf(url: string, servesHttps = false): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ObscuraError(
      'InvalidParameterError',
      `--public-url ${url} is not a URL (expected e.g. https://obscura.example)`,
    );
  }
  if (parsed.pathname !== '/' || parsed.search !== '' || parsed.hash !== '' || parsed.username !== '')
    throw new ObscuraError(
      'InvalidParameterError',
      `--public-url ${url} must be an origin, scheme://host[:port], without a path (here ${parsed.origin})`,
    );
  const secure = parsed.protocol === 'https:' || (parsed.protocol === 'http:' && isLoopbackName(parsed.hostname));
  if (!secure)
    throw new ObscuraError(
      'InvalidParameterError',
      `--public-url ${url}: the app's origin must be https (http only for localhost, 127.x.x.x or [::1]). ` +
        'Browsers give crypto.subtle, service workers and storage access only to secure contexts, ' +
        'and without them the app and the widget frame cannot release anything.',
    );
  if (servesHttps && parsed.protocol === 'http:')
    throw new ObscuraError(
      'InvalidParameterError',
      `--public-url ${url} is http, but with --tls-cert and --tls-key the app serves https; name it https://`,
    );
  return parsed.origin;
}

/** The collector under the public name: the public origin's scheme and host, the collector's own port. */
export function collectorUrlUnder(publicOrigin: string, collectorPort: number): string {
  const { protocol, hostname } = new URL(publicOrigin);
  return `${protocol}//${hostname}:${collectorPort}`;
}

/**
 * Where a browser on this machine opens the app: localhost when the server listens on the loopback
 * interface or on every interface, else the address it listens on.
 */
export function localAppUrl(host: string, port: number, https: boolean): string {
  const scheme = https ? 'https' : 'http';
  const name = host.includes(':') ? `[${host}]` : host;
  const local = isLoopbackName(name) || host === '0.0.0.0' || host === '::';
  return `${scheme}://${local ? 'localhost' : name}:${port}`;
}
