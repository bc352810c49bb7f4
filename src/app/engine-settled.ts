/**
 * Settles once the page's engine has started (or failed to) and the images picked while it started
 * have their features: work that would compete with them for a slow line and the CPU (the service
 * worker's install and precache) waits for it.
 */
let settle: () => void = () => undefined;
export const engineSettled = new Promise<void>((done) => (settle = done));

export function markEngineSettled(): void {
  settle();
}
