import { InTurns } from '../engine/in-turns';

/** The shortest time between two updates of the results while a batch runs, ms. */
export const SHOW_EVERY_MS = 200;

/**
 * Shows a batch's results a few times a second rather than one by one: each update lays out and paints
 * the page again, and at 15-25 results a second that was most of the main thread's work, and garbage for
 * its collector, while the engine wanted the other core.
 */
export class ShowInTurns extends InTurns<() => void> {
  constructor(
    /** Runs after each turn's results are shown (the progress). */
    after: () => void,
    every = SHOW_EVERY_MS,
    now?: () => number,
  ) {
    super(
      (shows) => {
        for (const show of shows) show();
        after();
      },
      every,
      now,
    );
  }
}
