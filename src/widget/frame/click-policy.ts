/**
 * Whether a click inside the widget was aimed at it: the pure half of the release guard
 * (release-guard.ts feeds it the frame's events). No DOM here and the clock is injected, so
 * the attacks it answers are unit tests, not hopes.
 *
 * The attack: a host shows a decoy ("double-click here") and, between the two clicks, moves
 * the widget under the pointer with CSS left/top; the second click lands on a release button
 * the person never saw there. A cross-origin frame cannot read where it sits in the host page,
 * so it learns of a move from what it can see:
 *
 * - Every mouse-like event carries `screenX − clientX` (and Y): where the frame's viewport
 *   sits on the screen. If a pointerdown shows another offset than the events before it, the
 *   frame moved in between. The change is dated when it is seen (the latest it can have
 *   happened), so the person waits the arming delay after it, never less.
 * - The pointer must have arrived inside the frame (pointerover or move) at least the arming
 *   delay before it presses: a frame slid under a resting pointer sees either a fresh arrival
 *   or no event at all before the press.
 * - A resize of the frame's viewport or of its document (the host resizing the iframe, or
 *   content reflowing) moves the buttons under the pointer: clicks wait the delay after it.
 * - Visibility (IntersectionObserver v2: unoccluded, untransformed, opaque) for the delay.
 * - A re-parented iframe reloads (inserting an iframe navigates it), so it starts again with
 *   nothing seen: unarmed. (Element.moveBefore keeps the document; then it is a plain move.)
 *
 * Measured in Chromium (tests/e2e/widget.test.ts): after a host moves the frame, the browser
 * sends it a pointerover and a pointermove at the new offset (so the move is dated at once),
 * and discards clicks on the moved cross-origin frame for about 500 ms; the second click of
 * the decoy attack lands just after that, inside this guard's 800 ms. Other browsers may not
 * discard; the rules here do not count on it.
 *
 * Touch has no hover: the finger arrives with the press, so the arrival rule cannot apply and
 * the other rules carry it. The offset must then be known and still since the delay, which a
 * frame has only seen after a first touch: the very first tap arms, a second counts. A pen
 * that has never hovered (a pointermove with no button down) is treated like touch.
 *
 * Left over: a frame moved away and back to the very same place between two presses, staying
 * fully visible and never crossed by the pointer, sees nothing (touch and non-hovering pens
 * mostly; a mouse that rests inside is caught only if the browser reports its leaving).
 * An offset jitter of up to OFFSET_TOLERANCE_PX is ignored (rounding of screen coordinates).
 * A keyboard activation (Enter or Space on a focused button) has no position: it needs the
 * visibility rule and the keyboard focus inside the frame for the delay, so a host that moves
 * focus into the frame (iframe.focus()) and, a second later, asks for Enter can still have a
 * visible, focused button activated.
 */

/** Where the frame's viewport sits on the screen: screenX − clientX, screenY − clientY of one event. */
export interface ScreenOffset {
  readonly x: number;
  readonly y: number;
}

/** A pointer event as the policy needs it. */
export interface PointerSample {
  readonly pointerId: number;
  /** 'mouse', 'pen' or 'touch' (PointerEvent.pointerType). */
  readonly pointerType: string;
  readonly offset: ScreenOffset;
  /** A pointermove with no button down: the pointer is hovering. */
  readonly hovering?: boolean;
}

/** A click event as the policy needs it. */
export interface ClickSample {
  readonly trusted: boolean;
  /** event.detail === 0: Enter or Space on a focused button, or assistive technology. */
  readonly keyboard: boolean;
  /** The click's own offset; absent for keyboard clicks, whose coordinates are zero. */
  readonly offset?: ScreenOffset;
}

export interface ClickPolicyOptions {
  /** How long each condition must have held before a press counts. */
  readonly armingMs: number;
  readonly now: () => number;
}

/** Screen coordinates are rounded apart from client ones: a difference this small is not a move. */
export const OFFSET_TOLERANCE_PX = 1;
/** refusal() speaks of the click being handled now; a decision older than this is no answer. */
const CLICK_FRESH_MS = 1000;
/** Pointers inside at once (mouse, pen, fingers); more is a leak, not a person. */
const MAX_POINTERS = 16;

export const REFUSAL = {
  hidden: 'the page is hidden',
  shown: 'the page had only just been shown',
  covered: 'the widget is covered or not fully on screen',
  appeared: 'the widget has only just appeared',
  resized: 'the widget changed size just before the click',
  moved: 'the widget moved just before the click',
  unplaced: 'the widget had not yet seen where it is on the screen',
  arrived: 'the pointer had only just arrived',
  noPress: 'the click did not start with a press inside the widget',
  untrusted: 'the click was not made by the person',
  unfocused: 'the widget does not have the keyboard focus',
  focused: 'the widget had only just been given the keyboard focus',
  noClick: 'no click was seen inside the widget',
} as const;

interface Arrival {
  readonly at: number;
  hovered: boolean;
}

const far = (a: ScreenOffset, b: ScreenOffset): boolean =>
  Math.abs(a.x - b.x) > OFFSET_TOLERANCE_PX || Math.abs(a.y - b.y) > OFFSET_TOLERANCE_PX;

export class ClickPolicy {
  private readonly armingMs: number;
  private readonly now: () => number;
  private pageVisible = true;
  private pageShownAt: number;
  private visibleSince: number | null = null;
  private resizedAt: number | null = null;
  private focusedSince: number | null = null;
  /** The offset the frame sits at, since when, and whether it replaced another (a move) or was the first seen. */
  private anchor: { offset: ScreenOffset; since: number; first: boolean } | null = null;
  private readonly arrivals = new Map<number, Arrival>();
  private lastPointer: { readonly id: number; readonly type: string } | undefined;
  private lastDown: { readonly offset: ScreenOffset; readonly refusal: string | undefined } | undefined;
  private lastClick: { readonly at: number; readonly refusal: string | undefined } | undefined;

  constructor(options: ClickPolicyOptions) {
    this.armingMs = options.armingMs;
    this.now = options.now;
    // Nothing is known of the time before the frame started: it counts from now.
    this.pageShownAt = this.now();
  }

  /** The page's own visibility (document.visibilityState). */
  pageVisibility(visible: boolean): void {
    if (visible && !this.pageVisible) this.pageShownAt = this.now();
    this.pageVisible = visible;
  }

  /** The guarded block fully visible (and, with IntersectionObserver v2, unoccluded) or not. */
  visibility(visible: boolean): void {
    if (!visible) this.visibleSince = null;
    else this.visibleSince ??= this.now();
  }

  /** The frame's viewport or document changed size. */
  resized(): void {
    this.resizedAt = this.now();
  }

  /** The frame's window gained or lost the keyboard focus. */
  focus(focused: boolean): void {
    if (!focused) this.focusedSince = null;
    else this.focusedSince ??= this.now();
  }

  /** Any event with screen and client coordinates (wheel, click): where the frame sits. */
  offsetSeen(offset: ScreenOffset): void {
    const at = this.now();
    if (this.anchor === null) this.anchor = { offset, since: at, first: true };
    else if (far(this.anchor.offset, offset)) this.anchor = { offset, since: at, first: false };
  }

  /** A pointer over, entering or moving inside the frame (not a press). */
  pointerSeen(sample: PointerSample): void {
    this.offsetSeen(sample.offset);
    this.arrive(sample);
  }

  /** The pointer left the frame, or the browser took it over (pointercancel). */
  pointerLeft(pointerId: number): void {
    this.arrivals.delete(pointerId);
  }

  /** A press: decided now, against what was seen before it. Returns why it does not count. */
  pointerDown(sample: PointerSample): string | undefined {
    this.offsetSeen(sample.offset);
    this.arrive(sample);
    const refusal = this.pressRefusal(sample.pointerId, sample.pointerType);
    this.lastDown = { offset: sample.offset, refusal };
    return refusal;
  }

  /** A click: it counts only if it follows a press that counted, at the same place. */
  click(sample: ClickSample): string | undefined {
    let refusal: string | undefined;
    if (!sample.trusted) refusal = REFUSAL.untrusted;
    else if (sample.keyboard) refusal = this.keyboardRefusal();
    else {
      const down = this.lastDown;
      this.lastDown = undefined;
      if (sample.offset) this.offsetSeen(sample.offset);
      if (!down) refusal = REFUSAL.noPress;
      else if (sample.offset && far(sample.offset, down.offset)) refusal = REFUSAL.moved;
      else refusal = down.refusal;
    }
    this.lastClick = { at: this.now(), refusal };
    return refusal;
  }

  /** Why the click being handled now does not count, or undefined when it does. */
  refusal(): string | undefined {
    if (!this.lastClick || this.now() - this.lastClick.at > CLICK_FRESH_MS) return REFUSAL.noClick;
    return this.lastClick.refusal;
  }

  /**
   * When a press by the last pointer seen, where it was seen, would start to count if nothing
   * else happened; undefined when waiting alone cannot arm it (hidden, covered, no pointer inside).
   */
  armedAt(): number | undefined {
    const pointer = this.lastPointer;
    if (!this.pageVisible || this.visibleSince === null || this.anchor === null || !pointer) return undefined;
    let at = Math.max(this.pageShownAt, this.visibleSince, this.resizedAt ?? -Infinity, this.anchor.since);
    if (this.hovers(pointer.id, pointer.type)) {
      const arrival = this.arrivals.get(pointer.id);
      if (!arrival) return undefined;
      at = Math.max(at, arrival.at);
    }
    return at + this.armingMs;
  }

  private arrive(sample: PointerSample): void {
    this.lastPointer = { id: sample.pointerId, type: sample.pointerType };
    const known = this.arrivals.get(sample.pointerId);
    if (known) {
      known.hovered ||= sample.hovering === true;
      return;
    }
    if (this.arrivals.size >= MAX_POINTERS) this.arrivals.clear();
    this.arrivals.set(sample.pointerId, { at: this.now(), hovered: sample.hovering === true });
  }

  /** Whether this pointer can hover, so that its arrival shows before its press. */
  private hovers(pointerId: number, pointerType: string): boolean {
    if (pointerType === 'mouse') return true;
    return pointerType === 'pen' && this.arrivals.get(pointerId)?.hovered === true;
  }

  private settled(since: number | null): boolean {
    return since !== null && this.now() - since >= this.armingMs;
  }

  private visibilityRefusal(): string | undefined {
    if (!this.pageVisible) return REFUSAL.hidden;
    if (!this.settled(this.pageShownAt)) return REFUSAL.shown;
    if (this.visibleSince === null) return REFUSAL.covered;
    if (!this.settled(this.visibleSince)) return REFUSAL.appeared;
    return undefined;
  }

  private pressRefusal(pointerId: number, pointerType: string): string | undefined {
    const visibility = this.visibilityRefusal();
    if (visibility) return visibility;
    if (this.resizedAt !== null && !this.settled(this.resizedAt)) return REFUSAL.resized;
    const anchor = this.anchor;
    if (anchor === null) return REFUSAL.unplaced;
    if (!anchor.first && !this.settled(anchor.since)) return REFUSAL.moved;
    if (this.hovers(pointerId, pointerType) && !this.settled(this.arrivals.get(pointerId)?.at ?? null)) {
      return REFUSAL.arrived;
    }
    if (!this.settled(anchor.since)) return REFUSAL.unplaced;
    return undefined;
  }

  private keyboardRefusal(): string | undefined {
    const visibility = this.visibilityRefusal();
    if (visibility) return visibility;
    if (this.focusedSince === null) return REFUSAL.unfocused;
    if (!this.settled(this.focusedSince)) return REFUSAL.focused;
    return undefined;
  }
}
