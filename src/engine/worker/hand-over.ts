import { InTurns } from '../in-turns';

/** The shortest time between two messages of a batch's items to the page, ms. */
export const HAND_OVER_EVERY_MS = 100;

/**
 * Hands a batch's items to the page a few times a second rather than one message each: a message is a task on
 * both threads and a reply, and at 40-50 images a second that was work taken from the cores the network needs,
 * while the page shows results in turns of 200 ms anyway.
 */
export class HandOver<T> extends InTurns<T> {
  constructor(send: (items: T[]) => void, every = HAND_OVER_EVERY_MS, now?: () => number) {
    super(send, every, now);
  }
}
