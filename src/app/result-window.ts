/**
 * The results list shows one page of results at a time, so its DOM stays the same size whatever
 * the number of images; and only the previews on that page hold an object URL.
 */

/** Results shown at once. */
export const PAGE_SIZE = 24;
/** Results kept in the list; older ones leave it for good (and their clean vectors with them). */
export const MAX_KEPT = 5000;

/** The first index of the page that holds `offset`, within a list of `total`. */
export function clampOffset(offset: number, total: number): number {
  if (total <= 0) return 0;
  const lastPage = Math.floor((total - 1) / PAGE_SIZE) * PAGE_SIZE;
  return Math.min(Math.max(0, Math.floor(offset / PAGE_SIZE) * PAGE_SIZE), lastPage);
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
