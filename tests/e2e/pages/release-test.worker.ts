/**
 * The release worker on a clock tests can move forward, built only for tests. Time
 * still flows on its own; `advance(ms)` jumps ahead and runs whatever falls due, so a
 * rolling window, a backoff or a Retry-After is crossed without waiting for it.
 */
import { expose } from 'comlink';
import '../../../src/error-details';
import type { Clock } from '../../../src/release/clock';
import type { ReleaseApi } from '../../../src/release/release-api';
import { ReleaseService } from '../../../src/release/release-service';

interface Task {
  readonly run: () => void;
  readonly dueAt: number;
  readonly timer: ReturnType<typeof setTimeout>;
}

class SkippableClock implements Clock {
  private offset = 0;
  private readonly tasks = new Set<Task>();

  now(): number {
    return Date.now() + this.offset;
  }

  schedule(run: () => void, ms: number): unknown {
    const task: Task = {
      run,
      dueAt: this.now() + ms,
      timer: setTimeout(() => {
        this.tasks.delete(task);
        run();
      }, ms),
    };
    this.tasks.add(task);
    return task;
  }

  cancel(handle: unknown): void {
    const task = handle as Task | undefined;
    if (!task) return;
    clearTimeout(task.timer);
    this.tasks.delete(task);
  }

  advance(ms: number): void {
    this.offset += ms;
    for (const task of [...this.tasks]) {
      if (task.dueAt <= this.now()) {
        this.cancel(task);
        task.run();
      }
    }
  }
}

export interface TestReleaseApi extends ReleaseApi {
  /** Moves this worker's clock forward and runs what falls due; resolves after any flush that started. */
  advance(ms: number): Promise<void>;
  now(): number;
}

const clock = new SkippableClock();
const worker = new ReleaseService({ clock });
const api: TestReleaseApi = Object.assign(worker, {
  async advance(ms: number) {
    clock.advance(ms);
    await worker.flush();
  },
  now: () => clock.now(),
});
expose(api);
