/** The shortest time between two updates of the results while a batch runs, ms. */
export const SHOW_EVERY_MS = 200;

/**
 * Shows a batch's results a few times a second rather than one by one: each update lays out and paints
 * the page again, and at 15-25 results a second that was most of the main thread's work, and garbage for
 * its collector, while the engine wanted the other core. A result arriving after a quiet spell (the
 * first, or any in a slow batch) is shown at once; the ones close behind it wait for the next turn.
 */
export class ShowInTurns {
  private readonly waiting: (() => void)[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private last = -Infinity;

  constructor(
    /** Runs after each turn's results are shown (the progress). */
    private readonly after: () => void,
    private readonly every = SHOW_EVERY_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  add(show: () => void): void {
    this.waiting.push(show);
    if (this.timer !== undefined) return;
    const wait = this.last + this.every - this.now();
    if (wait <= 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Shows what waits now (the batch ended). */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.last = this.now();
    const shows = this.waiting.splice(0);
    for (const show of shows) show();
    if (shows.length > 0) this.after();
  }
}
