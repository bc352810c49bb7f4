/**
 * /widget.js: one script tag on a host page defines <obscura-extractor>. The element
 * renders an iframe from Obscura's own origin; pixels, camera and clean features stay
 * inside it. The host hears only reports and budget state, as DOM events:
 * obscura-ready, obscura-report, obscura-budget, obscura-error.
 */
import { NUMERIC_ATTRIBUTES, WIDGET_ATTRIBUTES } from './attributes';
import { isFrameMessage } from './frame-message';
import type { HostMessage } from './protocol';
import { PROTOCOL, PROTOCOL_VERSION } from './protocol-version';

const script = document.currentScript as HTMLScriptElement | null;
const widgetOrigin = new URL(script?.src ?? location.href).origin;

/** Attributes as the host wrote them; the iframe validates and clamps them, and answers obscura-error. */
function readConfig(element: HTMLElement): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const name of WIDGET_ATTRIBUTES) {
    const value = element.getAttribute(name);
    if (value !== null) raw[name] = NUMERIC_ATTRIBUTES.has(name) ? Number(value) : value;
  }
  return raw;
}

class ObscuraExtractor extends HTMLElement {
  static observedAttributes = [...WIDGET_ATTRIBUTES];
  private frame: HTMLIFrameElement | undefined;
  private ready = false;
  private readonly onMessage = (event: MessageEvent): void => {
    // Only the element's own iframe, from Obscura's origin, speaking the protocol.
    if (event.origin !== widgetOrigin || !this.frame || event.source !== this.frame.contentWindow) return;
    if (!isFrameMessage(event.data)) return;
    const message = event.data;
    if (message.type === 'resize') {
      this.frame.style.height = `${Math.ceil(message.height)}px`;
      return;
    }
    if (message.type === 'ready') {
      this.ready = true;
      this.configure();
    }
    const detail =
      message.type === 'ready'
        ? { hostOrigin: message.hostOrigin }
        : message.type === 'report'
          ? message.report
          : message.type === 'budget'
            ? message.budget
            : message.error;
    this.dispatchEvent(new CustomEvent(`obscura-${message.type}`, { detail, bubbles: true, composed: true }));
  };

  connectedCallback(): void {
    if (this.frame) return;
    const root = this.attachShadow({ mode: 'closed' });
    const frame = document.createElement('iframe');
    const url = new URL('/widget.html', widgetOrigin);
    url.searchParams.set('host', location.origin);
    frame.src = url.href;
    frame.title = 'Obscura: private image features';
    frame.allow = 'camera; cross-origin-isolated';
    // Where the browser has no ancestorOrigins, the frame checks its host by the referrer's origin.
    frame.referrerPolicy = 'origin';
    frame.setAttribute('style', 'border:0;width:100%;height:320px;display:block;color-scheme:normal');
    root.append(frame);
    this.frame = frame;
    addEventListener('message', this.onMessage);
  }

  disconnectedCallback(): void {
    removeEventListener('message', this.onMessage);
    this.frame?.remove();
    this.frame = undefined;
    this.ready = false;
  }

  attributeChangedCallback(): void {
    if (this.ready) this.configure();
  }

  private configure(): void {
    // The attributes go as the host wrote them: the iframe's parse of the host message checks them.
    const message = {
      protocol: PROTOCOL,
      v: PROTOCOL_VERSION,
      type: 'configure',
      config: readConfig(this),
    } satisfies Omit<HostMessage, 'config'> & { config: Record<string, unknown> };
    this.frame?.contentWindow?.postMessage(message, widgetOrigin);
  }
}

if (!customElements.get('obscura-extractor')) customElements.define('obscura-extractor', ObscuraExtractor);
