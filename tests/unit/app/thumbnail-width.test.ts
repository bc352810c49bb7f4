import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EarlyPreview,
  OWN_PREVIEW_BYTES,
  THUMBNAIL_WIDTH,
  previewOf,
  thumbnailWidth,
} from '../../../src/app/thumbnail';

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

test('an early preview is begun once the header gives a size larger than a thumbnail, else previewOf’s', async () => {
  const made: number[] = [];
  const thumbnail = async (_source: Blob, width: number) => {
    made.push(width);
    return new Blob([`thumbnail ${width}`], { type: 'image/jpeg' });
  };
  const file = new Blob([new Uint8Array(OWN_PREVIEW_BYTES + 1)], { type: 'image/png' });
  const early = new EarlyPreview(file, Promise.resolve({ width: 451, height: 300 }), thumbnail);
  assert.equal(await (await early.forSize(451, 300)).text(), `thumbnail ${THUMBNAIL_WIDTH}`);
  assert.equal(await (await early.forSize(300, 451)).text(), `thumbnail ${THUMBNAIL_WIDTH}`);
  assert.deepEqual(made, [THUMBNAIL_WIDTH], 'the early thumbnail served both, none was made again');
  // A result smaller than a thumbnail is not given the upscaled one: its preview is made at its own size.
  assert.equal(await (await early.forSize(120, 90)).text(), 'thumbnail 120');

  // No size from the header (a size the engine refuses, or none given), or one no larger than a thumbnail:
  // nothing is decoded before the result.
  for (const size of [undefined, { width: 120, height: 90 }]) {
    made.length = 0;
    const none = new EarlyPreview(file, Promise.resolve(size), thumbnail);
    await new Promise((settled) => setTimeout(settled, 0));
    assert.deepEqual(made, [], `nothing begun for ${JSON.stringify(size)}`);
    assert.equal(await (await none.forSize(451, 300)).text(), `thumbnail ${THUMBNAIL_WIDTH}`);
  }
  const small = new Blob([new Uint8Array(4_000)], { type: 'image/png' });
  assert.equal(await new EarlyPreview(small, Promise.resolve(undefined), thumbnail).forSize(120, 90), small);
});

test('an early thumbnail that fails, or a header that cannot be read, leaves the preview to the result', async () => {
  let calls = 0;
  const thumbnail = async (_source: Blob, width: number) => {
    if (++calls === 1) throw new Error('decoder busy');
    return new Blob([`thumbnail ${width}`], { type: 'image/jpeg' });
  };
  const file = new Blob([new Uint8Array(OWN_PREVIEW_BYTES + 1)], { type: 'image/jpeg' });
  const failed = new EarlyPreview(file, Promise.resolve({ width: 451, height: 300 }), thumbnail);
  assert.equal(await (await failed.forSize(451, 300)).text(), `thumbnail ${THUMBNAIL_WIDTH}`);
  assert.equal(calls, 2);
  const unread = new EarlyPreview(file, Promise.reject(new Error('file gone')), thumbnail);
  assert.equal(await (await unread.forSize(451, 300)).text(), `thumbnail ${THUMBNAIL_WIDTH}`);
  assert.equal(calls, 3);
});
