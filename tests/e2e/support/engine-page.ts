import type { Browser, BrowserContext, Page } from 'playwright-core';
import { serveFixtures } from './fixtures';

/** Opens the engine test page with fixtures routed, failing loudly on page errors. */
export async function openEnginePage(
  browser: Browser | BrowserContext,
  baseUrl: string,
  fixturesDir: string,
): Promise<Page> {
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

/** An engine test page whose worker has started on WASM. */
export async function startedEnginePage(context: BrowserContext, baseUrl: string, fixturesDir: string): Promise<Page> {
  const page = await openEnginePage(context, baseUrl, fixturesDir);
  await page.evaluate(() =>
    (window as unknown as { obscura: { start(o: { backend: string }): Promise<unknown> } }).obscura.start({
      backend: 'wasm',
    }),
  );
  return page;
}

/**
 * Creates budget scopes in the context's ledger (scopes are explicit: a release into one
 * never created is refused) through a page's release worker, each with its own ε and a
 * lifetime window. They all draw from the device-wide budget (ε = 10 unless changed).
 */
export async function createScopes(
  context: BrowserContext,
  baseUrl: string,
  fixturesDir: string,
  scopes: readonly { readonly name: string; readonly totalEpsilon: number }[],
): Promise<void> {
  const page = await openEnginePage(context, baseUrl, fixturesDir);
  await page.evaluate(async (list) => {
    const releases = (
      window as unknown as {
        obscura: {
          releases(): {
            createScope(s: { name: string; totalEpsilon: number; window: { kind: 'lifetime' } }): Promise<void>;
          };
        };
      }
    ).obscura.releases();
    for (const s of list) await releases.createScope({ ...s, window: { kind: 'lifetime' } });
  }, scopes);
  await page.close();
}
