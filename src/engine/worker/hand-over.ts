/** The shortest time between two messages of a batch's items to the page, ms. */
export const HAND_OVER_EVERY_MS = 100;

/**
 * Hands a batch's items to the page a few times a second rather than one message each: a message is a task on
 * both threads and a reply, and at 40-50 images a second that was work taken from the cores the network needs,
 * while the page shows results in turns of 200 ms anyway. An item ready after a quiet spell (the first, or any in
 * a slow batch) goes at once; the ones close behind it wait for the next turn, in order.
 */
export class HandOver<T> {
  private held: T[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private last = -Infinity;

  constructor(
    private readonly send: (items: T[]) => void,
    private readonly every = HAND_OVER_EVERY_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  add(item: T): void {
    this.held.push(item);
    if (this.timer !== undefined) return;
    const wait = this.last + this.every - this.now();
    if (wait <= 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Sends what is held now (the batch ended or stopped). */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.held.length === 0) return;
    this.last = this.now();
    const items = this.held;
    this.held = [];
    this.send(items);
  }
}
