/**
 * Graceful shutdown of a server process, one way for all three: the first SIGTERM (a service
 * manager or a container stopping) or SIGINT (Ctrl-C) runs `close` (stop accepting, let requests
 * in flight finish, close the stores) and exits 0, or 1 when closing fails; a second signal while
 * closing exits at once, for an operator who will not wait.
 */
import { describeError } from '../src/errors';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** Runs `close` on the first SIGTERM or SIGINT, then exits; `name` prefixes what is logged. */
export function closeOnSignals(name: string, close: () => Promise<void>): void {
  let closing = false;
  const stop = (signal: NodeJS.Signals) => {
    if (closing) {
      console.error(`${name}: ${signal} again, stopping now`);
      process.exit(1);
    }
    closing = true;
    console.error(`${name}: ${signal}, stopping (requests in flight may finish)`);
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`${name}: could not close cleanly: ${describeError(err).message}`);
        process.exit(1);
      },
    );
  };
  for (const signal of SIGNALS) process.on(signal, stop);
}
