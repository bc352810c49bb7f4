import type { Browser, BrowserContext, Page } from 'playwright-core';
import { serveFixtures } from './fixtures';

/** Opens the engine test page with fixtures routed, failing loudly on page errors. */
export async function openEnginePage(browser: Browser | BrowserContext, baseUrl: string, fixturesDir: string): Promise<Page> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await serveFixtures(page, fixturesDir);
  await page.goto(`${baseUrl}/tests/e2e/pages/engine.html`);
  await page.waitForFunction(() => document.documentElement.dataset['ready'] === 'true', null, { timeout: 120_000 });
  if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
  return page;
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}
