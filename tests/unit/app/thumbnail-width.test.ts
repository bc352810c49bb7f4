import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OWN_PREVIEW_BYTES, THUMBNAIL_WIDTH, previewOf, thumbnailWidth } from '../../../src/app/thumbnail';

test('a preview is THUMBNAIL_WIDTH wide, or its image’s larger side when that is smaller: never upscaled', () => {
  assert.equal(thumbnailWidth(4032, 3024), THUMBNAIL_WIDTH);
  assert.equal(thumbnailWidth(3024, 4032), THUMBNAIL_WIDTH);
  assert.equal(thumbnailWidth(96, 96), 96);
  assert.equal(thumbnailWidth(120, 90), 120);
  // A narrow image that EXIF may turn on its side keeps a usable width.
  assert.equal(thumbnailWidth(40, 1000), THUMBNAIL_WIDTH);
  assert.equal(thumbnailWidth(0, 0), 1);
});

test('a small still picture is its own preview; a larger one, a heavy one or a GIF gets a thumbnail', async () => {
  const made: { source: Blob; width: number }[] = [];
  const thumbnail = async (source: Blob, width: number) => {
    made.push({ source, width });
    return new Blob(['thumbnail'], { type: 'image/jpeg' });
  };
  const small = new Blob([new Uint8Array(4_000)], { type: 'image/jpeg' });
  assert.equal(await previewOf(small, 96, 96, thumbnail), small);
  assert.equal(await previewOf(small, THUMBNAIL_WIDTH, 90, thumbnail), small);
  const png = new Blob([new Uint8Array(4_000)], { type: 'image/png' });
  assert.equal(await previewOf(png, 120, 90, thumbnail), png);
  assert.equal(made.length, 0, 'no thumbnail was made for a picture already thumbnail-sized');

  assert.notEqual(await previewOf(small, THUMBNAIL_WIDTH + 1, 90, thumbnail), small);
  const heavy = new Blob([new Uint8Array(OWN_PREVIEW_BYTES + 1)], { type: 'image/jpeg' });
  assert.notEqual(await previewOf(heavy, 96, 96, thumbnail), heavy);
  const gif = new Blob([new Uint8Array(4_000)], { type: 'image/gif' });
  assert.notEqual(await previewOf(gif, 96, 96, thumbnail), gif);
  assert.deepEqual(
    made.map((m) => m.width),
    [THUMBNAIL_WIDTH, 96, 96],
    'thumbnails are made at thumbnailWidth',
  );
});
