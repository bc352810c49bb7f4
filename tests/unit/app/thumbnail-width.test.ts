import { test } from 'node:test';
import assert from 'node:assert/strict';
import { THUMBNAIL_WIDTH, thumbnailWidth } from '../../../src/app/thumbnail';

test('a preview is THUMBNAIL_WIDTH wide, or its image’s larger side when that is smaller: never upscaled', () => {
  assert.equal(thumbnailWidth(4032, 3024), THUMBNAIL_WIDTH);
  assert.equal(thumbnailWidth(3024, 4032), THUMBNAIL_WIDTH);
  assert.equal(thumbnailWidth(96, 96), 96);
  assert.equal(thumbnailWidth(120, 90), 120);
  // A narrow image that EXIF may turn on its side keeps a usable width.
  assert.equal(thumbnailWidth(40, 1000), THUMBNAIL_WIDTH);
  assert.equal(thumbnailWidth(0, 0), 1);
});
