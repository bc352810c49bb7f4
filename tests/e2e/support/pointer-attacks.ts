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

/**
 * The decoy double-click: the widget (its release button ready and armed) sits 340 px to the
 * right of a decoy; the person's first click lands on the decoy, then the host slides the widget
 * left so the button is under the pointer for the second. Returns how long after the move the
 * second click reached the frame, and what the frame said of it.
 */
export async function decoyDoubleClick(page: Page, frame: Frame): Promise<{ landed: number; reason: string }> {
  // A narrower widget (as wide as its release block) leaves room beside it for the host's decoy.
  await moveWidget(page, 'display:block;position:relative;left:340px;width:560px');
  const release = frame.locator('[data-testid="release"]:not([disabled])').first();
  await release.waitFor({ timeout: 90_000 });
  // The frame has seen the pointer and is armed: the attack must beat a guard that was ready.
  await release.hover();
  await frame.locator('[data-testid="release"]:not([disabled])[data-armed="true"]').waitFor({ timeout: 10_000 });
  const button = await releaseButtonCentre(frame);
  const decoy = { x: button.x - 340, y: button.y };
  await page.mouse.move(decoy.x, decoy.y, { steps: 5 });
  await page.mouse.click(decoy.x, decoy.y);
  const movedAt = Date.now();
  await moveWidget(page, 'display:block;position:relative;left:0;width:560px');
  const moved = await releaseButtonCentre(frame);
  assert.ok(Math.abs(moved.x - decoy.x) < 2 && Math.abs(moved.y - decoy.y) < 2, 'the button is under the pointer');
  const landed = await clickUntilDelivered(page, frame, decoy, movedAt);
  const refused = frame.getByTestId('release-refused');
  await refused.waitFor({ timeout: 10_000 });
  return { landed, reason: await refused.innerText() };
}
