import type { Page } from 'playwright-core';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';

export const SCREENSHOT_DIR = join(process.cwd(), 'test-results', 'screenshots');

/** Saves a full-page screenshot and returns a small grey thumbnail to compare states by. */
export async function capture(page: Page, name: string): Promise<{ path: string; stdev: number; thumb: Buffer }> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  const png = await page.screenshot({ path, fullPage: true });
  const stats = await sharp(png).stats();
  const stdev = stats.channels.slice(0, 3).reduce((s, c) => s + c.stdev, 0) / 3;
  const thumb = await sharp(png).resize(64, 64, { fit: 'fill' }).greyscale().raw().toBuffer();
  return { path, stdev, thumb };
}

/** Mean absolute difference of two thumbnails, 0..255. */
export function thumbDistance(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}
