import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clampOffset, PAGE_SIZE, PreviewUrls } from '../../../src/app/result-window';

const item = (id: number) => ({ id: String(id), preview: new Blob([String(id)]) });

test('only the shown previews hold a URL; one leaving the page has its URL revoked', () => {
  const live = new Set<string>();
  let made = 0;
  const urls = new PreviewUrls(
    () => {
      const u = `blob:${made++}`;
      live.add(u);
      return u;
    },
    (u) => assert.ok(live.delete(u), `revoked ${u} once`),
  );
  const all = Array.from({ length: 500 }, (_, i) => item(i));
  for (let start = 0; start < all.length; start += 7) {
    const shown = urls.show(all.slice(start, start + PAGE_SIZE));
    assert.equal(live.size, Math.min(PAGE_SIZE, all.length - start));
    assert.equal(shown.size, live.size);
  }
  // The last page was 497..499: two of them stay shown.
  const kept = urls.show(all.slice(498, 500));
  assert.equal(kept.size, 2);
  assert.equal(made, 500, 'a result still shown keeps its URL instead of getting a new one');
  urls.clear();
  assert.equal(live.size, 0);
  assert.equal(urls.size, 0);
});

test('offsets land on a page that exists', () => {
  assert.equal(clampOffset(0, 0), 0);
  assert.equal(clampOffset(5, 10), 0);
  assert.equal(clampOffset(PAGE_SIZE, PAGE_SIZE), 0, 'a full first page has no second');
  assert.equal(clampOffset(PAGE_SIZE + 3, PAGE_SIZE + 1), PAGE_SIZE);
  assert.equal(clampOffset(10 * PAGE_SIZE, 2 * PAGE_SIZE + 1), 2 * PAGE_SIZE);
  assert.equal(clampOffset(-4, 100), 0);
});
