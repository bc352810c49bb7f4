/**
 * Reaches the built app page's own release bridge from a test. The widget frame releases for a
 * host with the same bridge, the same worker and the same first-party ledger, by calling
 * `release(contentHash, { grant, host, scope, … })`; a test that makes those calls here stands in
 * for the frame without a test door in what ships. The bridge is the app element's `releases`
 * field (private to TypeScript only) and the extractions are its `results`.
 */
import type { Page } from 'playwright-core';
import type { LedgerEntry, ReleaseOptions, ScopeConfig } from '../../../src/release/index';

type AppElement = {
  releases: {
    createScope(scope: ScopeConfig): Promise<void>;
    release(contentHash: string, options: ReleaseOptions): Promise<{ report: { id: string }; charged: boolean }>;
    ledger(): Promise<LedgerEntry[]>;
  };
  results: { contentHash?: string }[];
};

export type AppReleaseOutcome = { ok: true; id: string; charged: boolean } | { ok: false; name: string };

/** Creates a budget scope (a host's grant, as the person's click in the widget does). */
export async function createScopeInApp(page: Page, scope: ScopeConfig): Promise<void> {
  await page.evaluate(
    (s) => (document.querySelector('obscura-app') as unknown as AppElement).releases.createScope(s),
    scope,
  );
}

/** The content hashes of the app's extractions, newest first, once there are `count` of them. */
export async function extractedHashes(page: Page, count: number): Promise<string[]> {
  await page.waitForFunction(
    (n) => (document.querySelector('obscura-app') as unknown as AppElement).results.length >= n,
    count,
    { timeout: 60_000 },
  );
  return page.evaluate(() =>
    (document.querySelector('obscura-app') as unknown as AppElement).results.map((r) => r.contentHash!),
  );
}

/** Releases an extraction through the app's bridge; a refusal comes back by its error name. */
export async function releaseInApp(
  page: Page,
  contentHash: string,
  options: ReleaseOptions,
): Promise<AppReleaseOutcome> {
  return page.evaluate(
    async ({ hash, opts }) => {
      try {
        const outcome = await (document.querySelector('obscura-app') as unknown as AppElement).releases.release(
          hash,
          opts,
        );
        return { ok: true as const, id: outcome.report.id, charged: outcome.charged };
      } catch (err) {
        return { ok: false as const, name: (err as Error).name };
      }
    },
    { hash: contentHash, opts: options },
  );
}

/** The ledger as the release worker lists it (newest first), without the payloads. */
export async function ledgerInApp(page: Page): Promise<Omit<LedgerEntry, 'payload'>[]> {
  return page.evaluate(async () => {
    const entries = await (document.querySelector('obscura-app') as unknown as AppElement).releases.ledger();
    return entries.map(({ payload: _payload, ...rest }) => rest);
  });
}
