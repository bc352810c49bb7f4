/**
 * Waiting for the page's frames. A hidden page paints none; there both resolve soon instead (timers in a
 * hidden page may still wait a second).
 */

/** Resolves in the next frame's animation callbacks: what runs then is drawn in that frame's task. */
export function nextFrame(): Promise<void> {
  return new Promise((done) => {
    const soon = setTimeout(done, 100);
    requestAnimationFrame(() => {
      clearTimeout(soon);
      done();
    });
  });
}

/** Resolves in a task after the next frame has painted: work that can wait for the first screen waits for it. */
export async function afterPaint(): Promise<void> {
  await nextFrame();
  await new Promise((done) => setTimeout(done, 0));
}
