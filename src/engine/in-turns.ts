/**
 * Passes items on a few times a second rather than one at a time, where each pass costs more than the
 * item (a message between threads, a layout and paint of the page). An item after a quiet spell (the
 * first, or any in a slow stream) goes at once; the ones close behind it wait for the next turn, in order.
 */
export class InTurns<T> {
  private held: T[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private last = -Infinity;

  constructor(
    private readonly pass: (items: T[]) => void,
    /** The shortest time between two passes, ms. */
    private readonly every: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  add(item: T): void {
    this.held.push(item);
    if (this.timer !== undefined) return;
    const wait = this.last + this.every - this.now();
    if (wait <= 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Passes on what is held now (the stream ended or stopped). */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.held.length === 0) return;
    this.last = this.now();
    const items = this.held;
    this.held = [];
    this.pass(items);
  }
}
