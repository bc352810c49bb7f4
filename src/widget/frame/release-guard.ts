/**
 * Clickjacking guard for the release button inside the widget iframe: a click counts
 * only when the button has been fully visible, unobscured and untransformed for at
 * least `armingMs` (Intersection Observer v2's trackVisibility, where the browser has
 * it), so a host cannot cover the button with a decoy, pass the click through, or pop
 * the frame up under the pointer an instant before a click.
 */
export interface ReleaseGuardOptions {
  /** How long the button must have been visible before a click counts. */
  readonly armingMs?: number;
  readonly now?: () => number;
  /** Told whenever a click would start or stop counting (armed after the delay, disarmed when covered). */
  readonly onArmedChange?: (armed: boolean) => void;
}

/** Whether this browser reports occlusion (IntersectionObserver v2). */
export function tracksVisibility(): boolean {
  return typeof IntersectionObserverEntry !== 'undefined' && 'isVisible' in IntersectionObserverEntry.prototype;
}

export class ReleaseGuard {
  private visibleSince: number | null = null;
  private observer: IntersectionObserver | undefined;
  private readonly armingMs: number;
  private readonly now: () => number;
  private readonly onArmedChange: (armed: boolean) => void;
  private armTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: ReleaseGuardOptions = {}) {
    this.armingMs = options.armingMs ?? 800;
    this.now = options.now ?? (() => performance.now());
    this.onArmedChange = options.onArmedChange ?? (() => undefined);
  }

  /** Starts watching `target` (the button, or the panel that holds it). */
  observe(target: Element): void {
    this.observer?.disconnect();
    this.visibleSince = null;
    const v2 = tracksVisibility();
    const init = { threshold: [1], ...(v2 ? { trackVisibility: true, delay: 100 } : {}) } as IntersectionObserverInit;
    this.observer = new IntersectionObserver((entries) => {
      const entry = entries[entries.length - 1];
      if (!entry) return;
      const visible = v2
        ? (entry as IntersectionObserverEntry & { isVisible: boolean }).isVisible
        : entry.intersectionRatio >= 1;
      clearTimeout(this.armTimer);
      if (!visible) {
        this.visibleSince = null;
        this.onArmedChange(false);
      } else {
        this.visibleSince ??= this.now();
        const left = this.armingMs - (this.now() - this.visibleSince);
        this.armTimer = setTimeout(() => this.onArmedChange(this.refusal() === undefined), Math.max(0, left));
      }
    }, init);
    this.observer.observe(target);
  }

  /** Why a click now would not count, or undefined when it does. */
  refusal(): string | undefined {
    if (document.visibilityState !== 'visible') return 'the page is hidden';
    if (this.visibleSince === null) return 'the widget is covered or not fully on screen';
    const waited = this.now() - this.visibleSince;
    if (waited < this.armingMs) return 'the widget has only just appeared';
    return undefined;
  }

  disconnect(): void {
    clearTimeout(this.armTimer);
    this.observer?.disconnect();
    this.observer = undefined;
  }
}
