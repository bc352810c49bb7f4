/**
 * Clickjacking guard for the widget's buttons, the DOM half of click-policy.ts (which holds
 * the rules and says how a move is seen). It listens on the frame's window in the capture
 * phase, so no component can hide an event from it and each click is decided before the
 * button's own handler runs; that handler then asks refusal() about the click it is handling.
 *
 * What it feeds the policy: every pointer, wheel and click event's screen offset and the
 * pointer's arrival and leaving; resizes of the frame's viewport (window 'resize') and of its
 * document (a ResizeObserver on <html>); the guarded block's visibility (IntersectionObserver
 * v2's trackVisibility where the browser has it: unoccluded, untransformed, opaque; otherwise
 * fully in the viewport); the page's visibility; the window's keyboard focus.
 */
import { ClickPolicy, type PointerSample, type ScreenOffset } from './click-policy';

export interface ReleaseGuardOptions {
  /** How long the button must have been visible, still and under the pointer before a click counts. */
  readonly armingMs?: number;
  readonly now?: () => number;
  /** Told whenever a press by the pointer where it is would start or stop counting. */
  readonly onArmedChange?: (armed: boolean) => void;
}

/** Whether this browser reports occlusion (IntersectionObserver v2). */
export function tracksVisibility(): boolean {
  return typeof IntersectionObserverEntry !== 'undefined' && 'isVisible' in IntersectionObserverEntry.prototype;
}

const offsetOf = (e: MouseEvent): ScreenOffset => ({ x: e.screenX - e.clientX, y: e.screenY - e.clientY });

const sampleOf = (e: PointerEvent): PointerSample => ({
  pointerId: e.pointerId,
  pointerType: e.pointerType,
  offset: offsetOf(e),
  hovering: e.type === 'pointermove' && e.buttons === 0,
});

export class ReleaseGuard {
  private readonly policy: ClickPolicy;
  private readonly now: () => number;
  private readonly onArmedChange: (armed: boolean) => void;
  private observer: IntersectionObserver | undefined;
  private sizeObserver: ResizeObserver | undefined;
  private armTimer: ReturnType<typeof setTimeout> | undefined;
  private timerFor: number | undefined;
  private armed = false;
  private listening = false;

  constructor(options: ReleaseGuardOptions = {}) {
    this.now = options.now ?? (() => performance.now());
    this.policy = new ClickPolicy({ armingMs: options.armingMs ?? 800, now: this.now });
    this.onArmedChange = options.onArmedChange ?? (() => undefined);
  }

  /** Starts watching `target` (the button, or the block that holds it): it counts as just appeared. */
  observe(target: Element): void {
    this.listen();
    this.observer?.disconnect();
    this.policy.visibility(false);
    this.update();
    const v2 = tracksVisibility();
    const init = { threshold: [1], ...(v2 ? { trackVisibility: true, delay: 100 } : {}) } as IntersectionObserverInit;
    this.observer = new IntersectionObserver((entries) => {
      const entry = entries[entries.length - 1];
      if (!entry) return;
      const visible = v2
        ? (entry as IntersectionObserverEntry & { isVisible: boolean }).isVisible
        : entry.intersectionRatio >= 1;
      this.policy.visibility(visible);
      this.update();
    }, init);
    this.observer.observe(target);
  }

  /** Why the click being handled now does not count, or undefined when it does. */
  refusal(): string | undefined {
    return this.policy.refusal();
  }

  disconnect(): void {
    clearTimeout(this.armTimer);
    this.timerFor = undefined;
    this.observer?.disconnect();
    this.observer = undefined;
    this.sizeObserver?.disconnect();
    this.sizeObserver = undefined;
    if (!this.listening) return;
    this.listening = false;
    for (const [type, handler] of this.windowHandlers) removeEventListener(type, handler, true);
    removeEventListener('resize', this.onResize);
    removeEventListener('focus', this.onFocus);
    removeEventListener('blur', this.onFocus);
    document.removeEventListener('visibilitychange', this.onPageVisibility);
  }

  private listen(): void {
    if (this.listening) return;
    this.listening = true;
    for (const [type, handler] of this.windowHandlers)
      addEventListener(type, handler, { capture: true, passive: true });
    // Not capture: only the window's own resize, focus and blur, not every element's focus.
    addEventListener('resize', this.onResize);
    addEventListener('focus', this.onFocus);
    addEventListener('blur', this.onFocus);
    document.addEventListener('visibilitychange', this.onPageVisibility);
    this.sizeObserver = new ResizeObserver(this.onResize);
    this.sizeObserver.observe(document.documentElement);
    this.policy.pageVisibility(document.visibilityState === 'visible');
    this.policy.focus(document.hasFocus());
  }

  private readonly onPointer = (e: Event): void => {
    if (!e.isTrusted) return;
    this.policy.pointerSeen(sampleOf(e as PointerEvent));
    this.update();
  };

  private readonly onPointerDown = (e: Event): void => {
    if (!e.isTrusted) return;
    this.policy.pointerDown(sampleOf(e as PointerEvent));
    this.update();
  };

  /** Leaving the document: the pointer goes to no element of this frame. */
  private readonly onPointerOut = (e: Event): void => {
    const p = e as PointerEvent;
    if (p.isTrusted && (p.type === 'pointercancel' || p.relatedTarget === null)) this.policy.pointerLeft(p.pointerId);
    this.update();
  };

  private readonly onWheel = (e: Event): void => {
    if (e.isTrusted) this.policy.offsetSeen(offsetOf(e as WheelEvent));
    this.update();
  };

  private readonly onClick = (e: Event): void => {
    const m = e as MouseEvent;
    const keyboard = m.detail === 0;
    this.policy.click({ trusted: m.isTrusted, keyboard, ...(keyboard ? {} : { offset: offsetOf(m) }) });
    this.update();
  };

  private readonly onResize = (): void => {
    this.policy.resized();
    this.update();
  };

  private readonly onFocus = (): void => {
    this.policy.focus(document.hasFocus());
    this.update();
  };

  private readonly onPageVisibility = (): void => {
    this.policy.pageVisibility(document.visibilityState === 'visible');
    this.update();
  };

  private readonly windowHandlers: readonly (readonly [string, (e: Event) => void])[] = [
    ['pointerover', this.onPointer],
    ['pointermove', this.onPointer],
    ['pointerup', this.onPointer],
    ['pointerdown', this.onPointerDown],
    ['pointerout', this.onPointerOut],
    ['pointercancel', this.onPointerOut],
    ['wheel', this.onWheel],
    ['click', this.onClick],
  ];

  /** Tells onArmedChange of a change, and wakes up when waiting alone would arm. */
  private update(): void {
    const at = this.policy.armedAt();
    const now = this.now();
    const armed = at !== undefined && at <= now;
    if (armed !== this.armed) {
      this.armed = armed;
      this.onArmedChange(armed);
    }
    const wake = armed ? undefined : at;
    if (wake === this.timerFor) return;
    clearTimeout(this.armTimer);
    this.timerFor = wake;
    // A millisecond late rather than early: timers and performance.now() need not agree to the microsecond.
    if (wake !== undefined) this.armTimer = setTimeout(() => this.timerReached(), wake - now + 1);
  }

  private timerReached(): void {
    this.timerFor = undefined;
    this.update();
  }
}
