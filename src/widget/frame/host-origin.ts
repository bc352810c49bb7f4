/**
 * Which page embeds the widget. The loader names it in the `host` URL parameter; where
 * the browser tells the frame its ancestors (location.ancestorOrigins, Chromium and
 * Safari), the two must agree, so a page cannot claim another origin's scopes by
 * writing a different `host` into the iframe's URL.
 */
export type HostOrigin =
  { readonly ok: true; readonly origin: string } | { readonly ok: false; readonly reason: string };

export function resolveHostOrigin(search: string, ancestors: readonly string[] | undefined): HostOrigin {
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
  const parent = ancestors?.[0];
  if (ancestors !== undefined && parent !== origin) {
    return {
      ok: false,
      reason: `The widget says it is embedded by ${origin}, but the browser says ${parent ?? 'nothing'}: refused.`,
    };
  }
  return { ok: true, origin };
}
