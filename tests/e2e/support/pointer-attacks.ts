/** What a clickjacking host page does to the widget: move it with CSS and time a click under the pointer. */
import assert from 'node:assert/strict';
import type { Frame, Page } from 'playwright-core';

/** The host page moves its widget with CSS; resolves once the page has drawn it. */
export const moveWidget = (p: Page, style: string) =>
  p.evaluate(
    (css) =>
      new Promise<void>((done) => {
        document.querySelector('obscura-extractor')!.setAttribute('style', css);
        requestAnimationFrame(() => requestAnimationFrame(() => done()));
      }),
    style,
  );

/** The centre of the first release button that can be clicked, in the host page's coordinates. */
export async function releaseButtonCentre(f: Frame): Promise<{ x: number; y: number }> {
  const box = await f.locator('[data-testid="release"]:not([disabled])').first().boundingBox();
  assert.ok(box, 'the release button is on screen');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/**
 * Clicks at one point until a press reaches the frame, as an attacker times the second click;
 * returns how long after `since` it landed. Chromium discards input to a cross-origin frame
 * that moved in the last 500 ms or so, so the guard's own rule is what answers a click after that.
 */
export async function clickUntilDelivered(
  p: Page,
  f: Frame,
  at: { x: number; y: number },
  since: number,
): Promise<number> {
  await f.evaluate(() => {
    const w = window as unknown as { presses?: number };
    w.presses = 0;
    addEventListener('pointerdown', () => (w.presses = (w.presses ?? 0) + 1), { capture: true });
  });
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    await p.mouse.click(at.x, at.y);
    if (await f.evaluate(() => (window as unknown as { presses: number }).presses > 0)) return Date.now() - since;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('no click reached the frame in 5 s');
}
