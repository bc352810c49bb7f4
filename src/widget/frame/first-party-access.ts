/**
 * The frame's way to the one first-party store, as a small state machine the frame renders:
 *
 * - `direct`: every ancestor is of the app's site, so the frame's own storage is first-party.
 * - `handle`: storage access was granted; the release service runs as a shared worker from the
 *   handle (first-party storage, shared by every site's frame and by the app's own pages).
 * - `window`: no handle (refused, cookies blocked, or a browser without one): Obscura's own
 *   window on the app origin holds the service and relays this host's releases while open.
 *
 * Until one of these is reached the frame has no budget, ledger or memo at all: it fails
 * closed and never falls back to its partitioned storage.
 */
import type { ReleaseConnection } from '../../client/index';
import { connectWindowUrl, hello, windowMessageSchema } from '../connect/window-protocol';
import { sharedWorkerConnection, windowConnection } from './release-connections';
import { handleUsable, isFirstPartyFrame, requestHandle, storageAccessPermission } from './storage-access';

export type AccessState =
  | { readonly kind: 'checking' }
  /** A click is needed: it asks for storage access, or opens Obscura's window. */
  | { readonly kind: 'needs-click'; readonly blocked?: boolean }
  /** Obscura's window is open; the person answers there. */
  | { readonly kind: 'window-open' }
  | {
      readonly kind: 'connected';
      readonly route: 'direct' | 'handle' | 'window';
      readonly connection?: ReleaseConnection;
    };

export class FirstPartyAccess {
  state: AccessState = { kind: 'checking' };
  /** The browser can give a handle here (see handleUsable). */
  private handleOk = false;
  /** A click's request was refused: a later click opens the window at once, not asking again first. */
  private refused = false;
  private popup: Window | null = null;
  private port: MessagePort | undefined;
  private watch: ReturnType<typeof setInterval> | undefined;
  private readonly changes = new EventTarget();

  constructor(
    private readonly host: string,
    private readonly onState: (state: AccessState) => void,
  ) {
    addEventListener('message', this.onWindowMessage);
  }

  /** Decides what needs no click: first-party already, or a storage-access grant given before. */
  async start(ancestors: readonly string[] | undefined): Promise<void> {
    if (isFirstPartyFrame(ancestors, location.origin)) return this.set({ kind: 'connected', route: 'direct' });
    this.handleOk = await handleUsable();
    if (this.handleOk && (await storageAccessPermission()) === 'granted' && (await this.tryHandle())) return;
    this.set({ kind: 'needs-click' });
  }

  /** Runs inside the person's click (the frame's guard accepted it): ask for access, else open the window. */
  async connect(): Promise<void> {
    if (this.handleOk && !this.refused && (await this.tryHandle())) return;
    this.openWindow();
  }

  private async tryHandle(): Promise<boolean> {
    const handle = await requestHandle();
    // Each refused ask would spend the activation of a click the window needs to open.
    if (!handle) this.refused = true;
    if (!handle) return false;
    this.set({ kind: 'connected', route: 'handle', connection: sharedWorkerConnection(handle) });
    return true;
  }

  private openWindow(): void {
    this.popup = window.open(connectWindowUrl(location.origin, this.host), '_blank', 'popup,width=520,height=640');
    this.set(this.popup ? { kind: 'window-open' } : { kind: 'needs-click', blocked: true });
    this.watchWindow();
  }

  /**
   * A window that crashed, or whose opener a host's policy cut, never says 'closing': while the
   * frame depends on the window it looks once a second whether the window is still there.
   */
  private watchWindow(): void {
    clearInterval(this.watch);
    this.watch = setInterval(() => {
      if (this.popup && !this.popup.closed) return;
      clearInterval(this.watch);
      if (this.dependsOnWindow()) this.lost();
    }, 1000);
  }

  private dependsOnWindow(): boolean {
    return this.state.kind === 'window-open' || (this.state.kind === 'connected' && this.state.route === 'window');
  }

  private lost(): void {
    this.popup = null;
    this.port?.close();
    this.port = undefined;
    this.set({ kind: 'needs-click' });
  }

  private readonly onWindowMessage = (event: MessageEvent): void => {
    if (!this.popup || event.source !== this.popup || event.origin !== location.origin) return;
    const parsed = windowMessageSchema.safeParse(event.data);
    if (!parsed.success) return;
    switch (parsed.data.type) {
      case 'ready': {
        const channel = new MessageChannel();
        this.port?.close();
        this.port = channel.port1;
        this.popup.postMessage(hello(this.host), location.origin, [channel.port2]);
        return;
      }
      case 'granted':
        return void this.granted();
      case 'changed':
        this.changes.dispatchEvent(new Event('changed'));
        return;
      case 'delta':
        this.changes.dispatchEvent(new MessageEvent('delta', { data: parsed.data.delta }));
        return;
      case 'closing':
        if (this.dependsOnWindow()) this.lost();
    }
  };

  /**
   * The person allowed this host in Obscura's window, a first-party visit: ask for storage access
   * again (a browser may give it now), else keep relaying through the window.
   */
  private async granted(): Promise<void> {
    if (this.state.kind === 'connected') return;
    if (this.handleOk && (await this.tryHandle())) return;
    // The window may have closed while storage access was being asked for.
    if (this.port && this.popup && this.state.kind === 'window-open')
      this.set({ kind: 'connected', route: 'window', connection: windowConnection(this.port, this.changes) });
  }

  private set(state: AccessState): void {
    this.state = state;
    this.onState(state);
  }
}
