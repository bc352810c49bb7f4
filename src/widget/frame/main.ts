// The widget page inside the host's iframe: it runs only for a host origin the browser confirms.
import '../../app/theme.css';
import { ObscuraError } from '../../errors';
import { HostLink } from './host-link';
import { resolveHostOrigin } from './host-origin';
import { WidgetFrame } from './widget-frame';

const ancestors = location.ancestorOrigins ? Array.from(location.ancestorOrigins) : undefined;
const host = resolveHostOrigin(location.search, ancestors, document.referrer);

/** Origins a host's `endpoint` may name: the server's allow-list (the page's CSP allows no other). */
async function widgetEndpoints(): Promise<readonly string[]> {
  try {
    const res = await fetch('config.json', { cache: 'no-store' });
    if (!res.ok) return [];
    const list = ((await res.json()) as { widgetEndpoints?: unknown }).widgetEndpoints;
    return Array.isArray(list) ? list.filter((o): o is string => typeof o === 'string') : [];
  } catch {
    return [];
  }
}

function refuse(reason: string): void {
  const p = document.createElement('p');
  p.dataset['testid'] = 'widget-refused';
  p.setAttribute('role', 'alert');
  p.textContent = reason;
  document.body.append(p);
}

/** Browsers give hashing, storage access and workers' crypto only to secure contexts. */
const INSECURE =
  'Obscura must be served over HTTPS (or from localhost): this page is not a secure context, so the browser ' +
  'withholds the cryptography and storage access the widget needs.';

if (!host.ok) {
  refuse(host.reason);
} else if (!isSecureContext) {
  refuse(INSECURE);
  new HostLink(host.origin, () => undefined).postError(new ObscuraError('InsecureContextError', INSECURE));
} else {
  let frame: WidgetFrame | undefined;
  const pending: Parameters<WidgetFrame['configure']>[0][] = [];
  const link = new HostLink(host.origin, (config) => (frame ? frame.configure(config) : pending.push(config)));
  frame = new WidgetFrame(link, widgetEndpoints(), ancestors);
  for (const config of pending) frame.configure(config);
  document.body.append(frame);
  // The host sizes the iframe to the content, so nothing inside is cut off or scrolls.
  new ResizeObserver(() => {
    link.post({ type: 'resize', height: Math.ceil(document.documentElement.scrollHeight) });
  }).observe(document.body);
  link.post({ type: 'ready', hostOrigin: host.origin });
}
document.documentElement.dataset['ready'] = 'true';
