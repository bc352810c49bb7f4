import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clampOffset, lastPageOffset, PAGE_SIZE, PreviewUrls } from '../../../src/app/result-window';

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

test('an offset stays where it is while it shows something; the last page starts on a page boundary', () => {
  assert.equal(clampOffset(0, 0), 0);
  assert.equal(clampOffset(5, 10), 5, 'a page anchored to the results it shows');
  assert.equal(clampOffset(PAGE_SIZE, PAGE_SIZE), PAGE_SIZE - 1, 'never past the last result');
  assert.equal(clampOffset(-4, 100), 0);
  assert.equal(lastPageOffset(0), 0);
  assert.equal(lastPageOffset(PAGE_SIZE), 0, 'a full first page has no second');
  assert.equal(lastPageOffset(PAGE_SIZE + 1), PAGE_SIZE);
  assert.equal(lastPageOffset(500), Math.floor(499 / PAGE_SIZE) * PAGE_SIZE);
});
