/**
 * The results list shows one page of results at a time, so its DOM stays the same size whatever
 * the number of images; and only the previews on that page hold an object URL.
 */

/** Results shown at once. */
export const PAGE_SIZE = 24;
/** Results kept in the list; older ones leave it for good (and their clean vectors with them). */
export const MAX_KEPT = 5000;

/**
 * The first shown index, within a list of `total`: any result may start the page (it stays anchored
 * to the same results while new ones arrive in front), as long as the page shows at least one.
 */
export function clampOffset(offset: number, total: number): number {
  return Math.min(Math.max(0, Math.floor(offset)), Math.max(0, total - 1));
}

/** Where the last page starts. */
export function lastPageOffset(total: number): number {
  return Math.max(0, Math.floor((total - 1) / PAGE_SIZE) * PAGE_SIZE);
}

export interface Previewed {
  readonly id: string;
  readonly preview: Blob;
}

/** Object URLs of the previews on screen: made when a result is shown, revoked when it no longer is. */
export class PreviewUrls {
  private readonly urls = new Map<string, string>();

  constructor(
    private readonly create: (blob: Blob) => string = (b) => URL.createObjectURL(b),
    private readonly revoke: (url: string) => void = (u) => URL.revokeObjectURL(u),
  ) {}

  /** Keeps URLs for exactly these results (making the missing ones) and revokes every other. */
  show(items: readonly Previewed[]): ReadonlyMap<string, string> {
    const wanted = new Set(items.map((i) => i.id));
    for (const [id, url] of this.urls) {
      if (wanted.has(id)) continue;
      this.revoke(url);
      this.urls.delete(id);
    }
    for (const item of items) if (!this.urls.has(item.id)) this.urls.set(item.id, this.create(item.preview));
    return this.urls;
  }

  /** Revokes them all (the list is gone). */
  clear(): void {
    this.show([]);
  }

  get size(): number {
    return this.urls.size;
  }
}
