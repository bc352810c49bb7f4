/**
 * Which page embeds the widget. The loader names it in the `host` URL parameter; where
 * the browser tells the frame its ancestors (location.ancestorOrigins, Chromium and
 * Safari), the two must agree, so a page cannot claim another origin's scopes by
 * writing a different `host` into the iframe's URL; where it does not (Firefox), the referrer
 * must name the same origin, and a frame with neither refuses to run.
 */
export type HostOrigin =
  { readonly ok: true; readonly origin: string } | { readonly ok: false; readonly reason: string };

export function resolveHostOrigin(
  search: string,
  ancestors: readonly string[] | undefined,
  /** document.referrer: the browser's word on the parent where it gives no ancestorOrigins (Firefox). */
  referrer = '',
): HostOrigin {
  const claimed = new URLSearchParams(search).get('host');
  if (!claimed) return { ok: false, reason: 'This widget was opened without the page that embeds it (no host).' };
  let origin: string;
  try {
    origin = new URL(claimed).origin;
  } catch {
    return { ok: false, reason: `The embedding page's origin is not a URL: ${claimed}` };
  }
  if (origin === 'null' || origin !== claimed) {
    return { ok: false, reason: `The embedding page's origin is not an origin: ${claimed}` };
  }
  // The loader asks for the origin as referrer (referrerpolicy="origin"); a host cannot forge it.
  const parent = ancestors !== undefined ? ancestors[0] : originOf(referrer);
  if (parent !== origin) {
    return {
      ok: false,
      reason: `The widget says it is embedded by ${origin}, but the browser says ${parent ?? 'nothing'}: refused.`,
    };
  }
  return { ok: true, origin };
}

function originOf(url: string): string | undefined {
  try {
    return url ? new URL(url).origin : undefined;
  } catch {
    return undefined;
  }
}
