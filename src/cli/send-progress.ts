/** Progress of `send` on stderr: one rewritten line on a terminal, a plain line a second otherwise. */
export interface SendCounts {
  read: number;
  sent: number;
  duplicates: number;
  rejected: number;
  failed: number;
  invalid: number;
  skipped: number;
  retries: number;
}

export class SendProgress {
  private readonly started = performance.now();
  private last = 0;
  private readonly tty: boolean;

  constructor(private readonly out: NodeJS.WritableStream) {
    this.tty = Boolean((out as { isTTY?: boolean }).isTTY);
  }

  private line(c: SendCounts): string {
    const elapsed = (performance.now() - this.started) / 1000;
    const done = c.sent + c.duplicates + c.rejected + c.failed;
    return (
      `[${done}/${c.read}] sent ${c.sent}, duplicates ${c.duplicates}, rejected ${c.rejected}, failed ${c.failed}, ` +
      `invalid ${c.invalid}, retries ${c.retries}, ${(done / Math.max(elapsed, 1e-3)).toFixed(0)} reports/s`
    );
  }

  update(c: SendCounts): void {
    const t = performance.now();
    if (t - this.last < (this.tty ? 100 : 1000)) return;
    this.last = t;
    this.out.write(this.tty ? `\r\x1b[K${this.line(c)}` : `${this.line(c)}\n`);
  }

  finish(c: SendCounts): void {
    const elapsed = ((performance.now() - this.started) / 1000).toFixed(1);
    this.out.write(`${this.tty ? '\r\x1b[K' : ''}${this.line(c)}; done in ${elapsed} s\n`);
  }
}
