/** The steps of the engine's start and of its first image, in order. */
export type StartupStep =
  | 'arrived'
  | 'evaluated'
  | 'init'
  | 'probed'
  | 'model-fetched'
  | 'backend-ready'
  | 'model-built'
  | 'ready'
  | 'first-asked'
  | 'first-decoded'
  | 'first-inferred';

/**
 * Marks a step on the worker's performance timeline as `obscura:engine:<step>`: DevTools shows them in
 * the worker's track, and the first-load bench reads them to lay out what a first visit waits for.
 */
export function markStartup(step: StartupStep): void {
  performance.mark(`obscura:engine:${step}`);
}
