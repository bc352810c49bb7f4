/** Images decoded ahead of the one the network runs on. */
export const DECODE_AHEAD = 3;

/**
 * Prepares a batch's inputs a few ahead of the one the network runs on, in order. The network runs
 * synchronously on this thread, while a decode is a chain of steps done elsewhere (reading the file,
 * decoding it, hashing the pixels), each of which needs this thread for a moment to start the next.
 * So several decodes are kept in flight, and `between` yields to the thread's tasks once per image:
 * each decode then takes a step per image, and the next input is ready when the network is.
 */
export class DecodeAhead<T> {
  private readonly pending = new Map<number, Promise<T>>();
  private started = 0;

  constructor(
    private readonly count: number,
    private readonly prepare: (index: number) => Promise<T>,
    private readonly ahead = DECODE_AHEAD,
  ) {}

  /** Input `index` once prepared (inputs are taken in order); starts the ones after it. */
  take(index: number): Promise<T> {
    while (this.started < Math.min(this.count, index + 1 + this.ahead)) {
      this.pending.set(this.started, this.prepare(this.started));
      this.started++;
    }
    const prepared = this.pending.get(index)!;
    this.pending.delete(index);
    return prepared;
  }

  /** Inputs started and not yet taken. */
  inFlight(): number {
    return this.pending.size;
  }

  /** Lets the decodes in flight take their next step (a task turn: a resolved promise is not enough). */
  between(): Promise<void> {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }

  /** Waits for the decodes still in flight (a stopped batch lets them finish and close what they hold). */
  async settle(): Promise<void> {
    await Promise.allSettled(this.pending.values());
    this.pending.clear();
  }
}
