/** The release path's clock is the outbox scheduler's (src/outbox/clock.ts): one clock below both. */
export { systemClock, type Clock } from '../outbox/clock';
