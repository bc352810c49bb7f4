import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptedPictureSize } from '../../../src/client/picture-size';

/** The first bytes of a PNG: its signature and an IHDR chunk giving this size (no pixels follow). */
function pngHeader(width: number, height: number): Blob {
  const bytes = new Uint8Array(33);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  return new Blob([bytes], { type: 'image/png' });
}

test("a picture's size is read from its header when the engine would accept it", async () => {
  assert.deepEqual(await acceptedPictureSize(pngHeader(451, 300)), { width: 451, height: 300 });
  assert.deepEqual(await acceptedPictureSize(pngHeader(16, 16384)), { width: 16, height: 16384 });
});

test('a size the engine refuses, or none, is no size: nothing may decode it ahead of the engine', async () => {
  // A decompression bomb: a few bytes announcing 3.6 gigapixels.
  assert.equal(await acceptedPictureSize(pngHeader(60_000, 60_000)), undefined);
  assert.equal(await acceptedPictureSize(pngHeader(8000, 7000)), undefined, '56 MP is over the limit');
  assert.equal(await acceptedPictureSize(pngHeader(8, 8)), undefined, 'a tracking pixel');
  assert.equal(await acceptedPictureSize(new Blob(['not an image at all'])), undefined);
  assert.equal(await acceptedPictureSize(new Blob([])), undefined);
});
