/**
 * Resolves in a task after the next frame has painted: work that can wait for the first screen waits
 * for it, in a task of its own. A hidden page paints no frames; there it resolves soon instead.
 */
export function afterPaint(): Promise<void> {
  return new Promise((done) => {
    const soon = setTimeout(done, 100);
    requestAnimationFrame(() => {
      clearTimeout(soon);
      setTimeout(done, 0);
    });
  });
}
