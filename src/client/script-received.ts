import { isScriptArrived } from '../engine/worker/script-arrived';

/**
 * Settles once the worker's script has been received: when the page's Resource Timing lists a script that
 * `isScript` recognises (the browser fetched it for the worker), or when the worker says its script runs
 * (script-arrived.ts), whichever comes first. On a first visit the first comes hundreds of milliseconds
 * earlier: the worker still parses its script, and its message waits for that. Without `isScript` (a worker
 * from another entry) only the worker's message counts.
 */
export function scriptReceived(worker: Worker, isScript?: (url: URL) => boolean): Promise<void> {
  return new Promise<void>((received) => {
    let observer: PerformanceObserver | undefined;
    const done = () => {
      worker.removeEventListener('message', heard);
      observer?.disconnect();
      received();
    };
    const heard = (event: MessageEvent) => {
      if (isScriptArrived(event.data)) done();
    };
    worker.addEventListener('message', heard);
    if (!isScript || typeof PerformanceObserver === 'undefined') return;
    observer = new PerformanceObserver((list) => {
      if (list.getEntries().some((e) => URL.canParse(e.name) && isScript(new URL(e.name)))) done();
    });
    try {
      observer.observe({ type: 'resource' });
    } catch {
      // A browser without Resource Timing for workers: the worker's message still comes.
      observer = undefined;
    }
  });
}
