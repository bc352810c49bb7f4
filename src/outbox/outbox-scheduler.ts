/**
 * When the outbox is sent: one scheduler for every context that sends it (the release worker, the
 * shared release worker, the service worker). A flush asked while one runs joins it and makes it
 * go round once more (the new report may have missed that round's query); while reports wait,
 * one timer wakes the sender when the earliest falls due. That timer is the reporter's schedule,
 * not a poll: it exists only while reports wait. Which context actually sends is settled by the
 * reporter's Web Lock; the others' rounds send nothing.
 */
import type { LedgerDb } from '../ledger/ledger-schema';
import type { Clock } from './clock';
import type { RetryPolicy } from './delivery';
import { flushOutbox, type FlushContext, type FlushResult } from './reporter';

export interface OutboxSchedulerOptions {
  readonly open: () => Promise<LedgerDb>;
  readonly clock: Clock;
  /** Hears every change of a ledger entry's delivery state, with the ids of the entries changed. */
  readonly onChange?: (changed: readonly string[]) => void;
  /** A fresh check of queued reports against their tasks for each round (TaskSource.round). */
  readonly recheck?: () => FlushContext['recheck'];
  readonly send?: typeof fetch;
  readonly policy?: RetryPolicy;
}

/** How long to look again when another context holds the sender's lock (it may close before sending). */
const LOCK_HELD_RETRY_MS = 1000;
/** The shortest wait before a round: a report due now is sent by the round under way. */
const MIN_WAIT_MS = 50;

export class OutboxScheduler {
  private flushing: Promise<FlushResult> | undefined;
  private again = false;
  private timer: unknown;

  constructor(private readonly options: OutboxSchedulerOptions) {}

  /** Sends what is due now (joining a flush under way) and keeps one timer for the next retry. */
  flush(): Promise<FlushResult> {
    return this.rounds(true);
  }

  /**
   * Sends until nothing waits, or what waits falls due after `deadline` (a sync event's time), and
   * leaves no timer behind: the context may end when this settles.
   */
  async drain(deadline: number): Promise<FlushResult> {
    const { clock } = this.options;
    for (;;) {
      const result = await this.rounds(false);
      // null: another context holds the sender's lock and sends these itself.
      if (result.waiting === 0 || result.nextDueAt === null || result.nextDueAt > deadline) return result;
      const wait = Math.max(MIN_WAIT_MS, result.nextDueAt - clock.now());
      await new Promise<void>((resolve) => clock.schedule(resolve, wait));
    }
  }

  /** Cancels the timer; a flush under way finishes. */
  stop(): void {
    this.options.clock.cancel(this.timer);
    this.timer = undefined;
  }

  private rounds(keepTimer: boolean): Promise<FlushResult> {
    if (this.flushing) {
      this.again = true;
      return this.flushing;
    }
    this.flushing = (async () => {
      try {
        const result = await this.roundsNow();
        if (keepTimer) this.wake(result);
        return result;
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }

  /** Rounds until none was asked during the last; a caller who joined is told about every round. */
  private async roundsNow(): Promise<FlushResult> {
    const { open, clock, onChange, recheck, send, policy } = this.options;
    let result: FlushResult;
    let sent = 0;
    let failed = 0;
    let rejected = 0;
    let withdrawn = 0;
    do {
      this.again = false;
      const check = recheck?.();
      result = await flushOutbox(await open(), {
        now: () => clock.now(),
        ...(onChange ? { onChange } : {}),
        ...(check ? { recheck: check } : {}),
        ...(send ? { send } : {}),
        ...(policy ? { policy } : {}),
      });
      sent += result.sent;
      failed += result.failed;
      rejected += result.rejected;
      withdrawn += result.withdrawn;
    } while (this.again);
    return { ...result, sent, failed, rejected, withdrawn };
  }

  private wake(result: FlushResult): void {
    const { clock } = this.options;
    this.stop();
    if (result.waiting === 0) return;
    const wait = result.nextDueAt === null ? LOCK_HELD_RETRY_MS : Math.max(MIN_WAIT_MS, result.nextDueAt - clock.now());
    this.timer = clock.schedule(() => void this.flush().catch(() => undefined), wait);
  }
}
