import type { Frame } from 'playwright-core';

/**
 * A click inside the widget frame as a person makes it: the page in front, the pointer resting on
 * the button until the release guard arms it (no sleeps), then the click.
 */
export async function armedClick(f: Frame, testId: string): Promise<void> {
  await f.page().bringToFront();
  // The first image waits for the model to load in the frame's engine.
  await f.getByTestId(testId).first().waitFor({ timeout: 90_000 });
  await f.locator(`[data-testid="${testId}"]:not([disabled])`).first().hover();
  const button = f.locator(`[data-testid="${testId}"][data-armed="true"]:not([disabled])`).first();
  await button.waitFor({ timeout: 10_000 });
  await button.click();
}
