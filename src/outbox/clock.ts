/**
 * Time as the release path sees it: the ledger's charge times, the budget window and
 * the reporter's retry schedule all read this clock, so tests can move it instead of
 * waiting on the wall.
 */
export interface Clock {
  now(): number;
  /** Runs `run` after `ms` of this clock's time; returns a handle for `cancel`. */
  schedule(run: () => void, ms: number): unknown;
  cancel(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  schedule: (run, ms) => setTimeout(run, ms),
  cancel: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
