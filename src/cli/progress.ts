/** Progress on stderr: one rewritten line on a terminal, plain lines otherwise. */
export class Progress {
  private readonly started = performance.now();
  private readonly tty: boolean;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly total: number,
  ) {
    this.tty = Boolean((out as { isTTY?: boolean }).isTTY);
  }

  update(done: number, label: string): void {
    const elapsed = (performance.now() - this.started) / 1000;
    const rate = done / Math.max(elapsed, 1e-3);
    const line = `[${done}/${this.total}] ${rate.toFixed(1)} images/s ${label}`;
    this.out.write(this.tty ? `\r\x1b[K${line}` : `${line}\n`);
  }

  finish(failed: number): void {
    const elapsed = (performance.now() - this.started) / 1000;
    const summary = `done: ${this.total - failed} extracted, ${failed} failed, ${elapsed.toFixed(1)} s`;
    this.out.write(`${this.tty ? '\r\x1b[K' : ''}${summary}\n`);
  }
}
