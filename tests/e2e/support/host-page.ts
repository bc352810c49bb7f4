import { createServer } from 'node:http';

/**
 * A host site on its own loopback port (so its own origin): serves fixed HTML pages by
 * path, with no special headers, as an ordinary site embedding the widget would.
 */
export async function startHostSite(
  pages: (origin: string) => Readonly<Record<string, string>>,
  /** Another loopback address (127.0.0.2, …) makes the host another site than the app on localhost. */
  address = '127.0.0.1',
): Promise<{ url: string; close: () => Promise<void> }> {
  // Made at the first request, so the pages may name servers started after this site (a collector
  // that declares this site's scopes, say).
  let table: Readonly<Record<string, string>> | undefined;
  const server = createServer((req, res) => {
    const body = (table ??= pages(url))[new URL(req.url ?? '/', 'http://x').pathname];
    res.statusCode = body === undefined ? 404 : 200;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(body ?? 'not found');
  });
  await new Promise<void>((done) => server.listen(0, address, done));
  const url = `http://${address}:${(server.address() as { port: number }).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/** A host page: the one script tag, the element, and a record of the events it hears. */
export function embeddingPage(appUrl: string, attributes: string, extra = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>
<script>
  window.events = [];
  for (const type of ['obscura-ready', 'obscura-report', 'obscura-budget', 'obscura-error'])
    document.addEventListener(type, (e) => window.events.push({ type, detail: e.detail }));
</script>
<script src="${appUrl}/widget.js"></script></head>
<body style="margin:0"><h1 style="margin:0;font-size:1rem">A shop</h1>
<obscura-extractor ${attributes}></obscura-extractor>${extra}</body></html>`;
}
