/**
 * Settles once the page's engine has started, or failed to: work that would compete with the model
 * and the WASM build for a slow line (the service worker's precache) waits for it.
 */
let settle: () => void = () => undefined;
export const engineSettled = new Promise<void>((done) => (settle = done));

export function markEngineSettled(): void {
  settle();
}
