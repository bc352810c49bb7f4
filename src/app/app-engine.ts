/**
 * The page's two workers, started as the first thing the page's script does, before the app's components
 * are evaluated or rendered: on a first visit the engine's worker, its model and its WASM build download
 * and compile while the page paints instead of after it. The app element takes these bridges.
 */
import { EngineBridge, ReleaseBridge, type LoadProgress } from '../client/index';

/** The release worker needs no model: the budget and the ledger show while the model loads. */
export const appReleases = new ReleaseBridge();

let heard: LoadProgress | undefined;
const progressListeners = new Set<(progress: LoadProgress) => void>();

export const appEngine = new EngineBridge({
  release: appReleases,
  onLoadProgress: (progress) => {
    heard = progress;
    for (const listener of progressListeners) listener(progress);
  },
});

/** Hears the engine's load progress, the latest at once; returns the unsubscribe. */
export function onEngineProgress(listener: (progress: LoadProgress) => void): () => void {
  progressListeners.add(listener);
  if (heard) listener(heard);
  return () => progressListeners.delete(listener);
}

performance.mark('obscura:app:engine-start');
// Its outcome is the app's to show (it asks for the same start); here it must not go unhandled.
appEngine.start().catch(() => undefined);
// The model's files download ahead of the worker, once its script has arrived and the page has painted: asked
// for before, they would share the line with what the first paint and the worker's start need.
void appEngine.preloadModel(firstPaint());

/** Settles once the page has loaded and painted a frame since. */
function firstPaint(): Promise<void> {
  return new Promise((painted) => {
    const afterFrame = () => requestAnimationFrame(() => setTimeout(painted, 0));
    if (document.readyState === 'complete') afterFrame();
    else addEventListener('load', afterFrame, { once: true });
  });
}
