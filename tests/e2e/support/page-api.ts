import type { api } from '../pages/engine-page';

/** The test page's window, for typing page.evaluate callbacks. */
export type PageWindow = Window & { obscura: typeof api };
