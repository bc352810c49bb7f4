/**
 * Chromium as real hosts meet it: third-party storage partitioning ON (Playwright's launcher
 * turns it off unless its default --disable-features is taken out), a persistent profile with
 * third-party cookies either blocked (Chromium's default here) or allowed, and the
 * storage-access prompt answered through CDP.
 */
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { QUIET_FLAGS, chromiumPath, tempProfileDir } from './browser';

export type CookieProfile = 'default' | 'third-party-cookies-allowed';

/** Playwright's default --disable-features switch, read from the installed playwright-core. */
function playwrightDisabledFeatures(): string[] {
  const lib = join(dirname(createRequire(import.meta.url).resolve('playwright-core/package.json')), 'lib');
  const bundle = readFileSync(join(lib, 'coreBundle.js'), 'utf8');
  const block = /disabledFeatures = \[([\s\S]*?)\]\.filter\(Boolean\)/.exec(bundle)?.[1];
  if (!block) throw new Error("playwright-core's default disabled features were not found; update this helper");
  return [...block.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
}

export interface PartitionedBrowser {
  readonly context: BrowserContext;
  /** Answers the storage-access prompt of `embedded` inside each of `hosts` (CDP Browser.setPermission). */
  setStorageAccess(setting: 'granted' | 'denied', hosts: readonly string[], embedded: string): Promise<void>;
  close(): Promise<void>;
}

export async function launchPartitioned(
  profile: CookieProfile,
  options: { ignoreHttpsErrors?: boolean } = {},
): Promise<PartitionedBrowser> {
  const features = playwrightDisabledFeatures();
  if (!features.includes('ThirdPartyStoragePartitioning'))
    throw new Error('Playwright no longer disables ThirdPartyStoragePartitioning: drop this workaround');
  const dir = tempProfileDir();
  if (profile === 'third-party-cookies-allowed') {
    mkdirSync(join(dir, 'Default'), { recursive: true });
    writeFileSync(
      join(dir, 'Default', 'Preferences'),
      JSON.stringify({ profile: { cookie_controls_mode: 0, block_third_party_cookies: false } }),
    );
  }
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: chromiumPath(),
    headless: true,
    viewport: { width: 900, height: 1000 },
    ignoreHTTPSErrors: options.ignoreHttpsErrors ?? false,
    ignoreDefaultArgs: [`--disable-features=${features.join(',')}`],
    args: [
      ...QUIET_FLAGS,
      `--disable-features=${features.filter((f) => f !== 'ThirdPartyStoragePartitioning').join(',')}`,
    ],
  });
  const browser = context.browser();
  const probe: Page = context.pages()[0] ?? (await context.newPage());
  const session = await context.newCDPSession(probe);
  const { targetInfo } = (await session.send('Target.getTargetInfo')) as { targetInfo: { browserContextId: string } };
  const browserContextId = targetInfo.browserContextId;
  return {
    context,
    async setStorageAccess(setting, hosts, embedded) {
      const cdp = browser ? await browser.newBrowserCDPSession() : session;
      for (const origin of hosts)
        await cdp.send('Browser.setPermission', {
          permission: { name: 'storage-access' },
          setting,
          origin,
          embeddedOrigin: embedded,
          browserContextId,
        });
    },
    close: () => context.close(),
  };
}
