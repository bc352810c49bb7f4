// A long session in the app: many small real photographs, and what the page holds while it runs.
import type { Page } from 'playwright-core';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { PHOTOS, SKIMAGE_DIR } from '../../support/data-paths';

/**
 * `count` different small JPEGs (96 × 96, a few KB each), cut from the skimage photographs at
 * offsets that differ for each image of one photograph: no two have the same pixels.
 */
export async function makeSmallPhotos(count: number): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'obscura-session-'));
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const k = Math.floor(i / PHOTOS.length);
    const file = join(dir, `photo-${String(i).padStart(4, '0')}.jpg`);
    await sharp(join(SKIMAGE_DIR, PHOTOS[i % PHOTOS.length]!))
      .extract({ left: 2 * (k % 120), top: k % 150, width: 128, height: 128 })
      .resize(96, 96)
      .jpeg({ quality: 85 })
      .toFile(file);
    files.push(file);
  }
  return files;
}

/** Counts object URLs made and revoked by the page, from before its first script runs. */
export async function countObjectUrls(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const live = new Set<string>();
    let made = 0;
    const create = URL.createObjectURL.bind(URL);
    const revoke = URL.revokeObjectURL.bind(URL);
    URL.createObjectURL = (obj: Blob | MediaSource) => {
      const url = create(obj);
      live.add(url);
      made++;
      return url;
    };
    URL.revokeObjectURL = (url: string) => {
      live.delete(url);
      revoke(url);
    };
    (window as unknown as { objectUrls: () => { live: number; made: number } }).objectUrls = () => ({
      live: live.size,
      made,
    });
  });
}

export interface PageHoldings {
  /** Results the app holds (its pager's count). */
  readonly results: number;
  readonly cards: number;
  /** Elements in the app, through every shadow root. */
  readonly nodes: number;
  readonly liveObjectUrls: number;
  readonly objectUrlsMade: number;
}

/** What the page holds now. */
export function holdings(page: Page): Promise<PageHoldings> {
  return page.evaluate(() => {
    const app = document.querySelector('obscura-app')!;
    // A plain loop: named functions inside an evaluated callback would need the test runner's helpers.
    let nodes = 0;
    const roots: ParentNode[] = [app.shadowRoot!];
    while (roots.length > 0) {
      for (const el of Array.from(roots.pop()!.querySelectorAll('*'))) {
        nodes++;
        if (el.shadowRoot) roots.push(el.shadowRoot);
      }
    }
    const shown = app.shadowRoot!.querySelector('result-pager')?.shadowRoot?.querySelector('[data-count]');
    const urls = (window as unknown as { objectUrls: () => { live: number; made: number } }).objectUrls();
    return {
      results: Number(shown?.getAttribute('data-count') ?? 0),
      cards: app.shadowRoot!.querySelectorAll('result-card').length,
      nodes,
      liveObjectUrls: urls.live,
      objectUrlsMade: urls.made,
    };
  });
}

/** Resolves once the app holds at least `count` results (checked a few times a second, not every frame). */
export async function waitForResults(page: Page, count: number, timeout = 600_000): Promise<void> {
  await page.waitForFunction(
    (n) => {
      const app = document.querySelector('obscura-app')?.shadowRoot;
      const shown = app?.querySelector('result-pager')?.shadowRoot?.querySelector('[data-count]');
      return Number(shown?.getAttribute('data-count') ?? 0) >= n;
    },
    count,
    { timeout, polling: 200 },
  );
}
