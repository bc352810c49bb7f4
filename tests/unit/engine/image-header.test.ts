import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { readFile } from 'node:fs/promises';
import { readImageDimensions } from '../../../src/engine/image-dimensions';
import { sniffImageFormat } from '../../../src/engine/sniff-format';
import { SKIMAGE_DIR } from '../../support/data-paths';

async function encoded(
  format: 'png' | 'jpeg' | 'webp' | 'gif' | 'avif' | 'tiff',
  width: number,
  height: number,
): Promise<Uint8Array> {
  const img = sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 90 } } });
  return new Uint8Array(await img.toFormat(format).toBuffer());
}

test('formats are recognised from their bytes, not their names', async () => {
  for (const format of ['png', 'jpeg', 'webp', 'gif', 'avif', 'tiff'] as const) {
    assert.equal(sniffImageFormat(await encoded(format, 20, 10)), format);
  }
  assert.equal(sniffImageFormat(new TextEncoder().encode('hello, this is text renamed to .jpg')), 'unknown');
  assert.equal(
    sniffImageFormat(new TextEncoder().encode('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>')),
    'svg',
  );
  assert.equal(sniffImageFormat(new Uint8Array(0)), 'unknown');
});

test('dimensions come from the header for PNG, JPEG, WebP (lossy and lossless) and GIF', async () => {
  for (const format of ['png', 'jpeg', 'webp', 'gif'] as const) {
    const bytes = await encoded(format, 321, 123);
    assert.deepEqual(readImageDimensions(bytes, format), { width: 321, height: 123 }, format);
  }
  const lossless = new Uint8Array(
    await sharp({ create: { width: 77, height: 5000, channels: 4, background: '#123456' } })
      .webp({ lossless: true })
      .toBuffer(),
  );
  assert.deepEqual(readImageDimensions(lossless, 'webp'), { width: 77, height: 5000 });
});

test('dimensions of real photographs match what the decoder reports', async () => {
  for (const name of ['astronaut.png', 'rocket.jpg', 'coffee.png', 'hubble_deep_field.jpg']) {
    const bytes = new Uint8Array(await readFile(`${SKIMAGE_DIR}/${name}`));
    const meta = await sharp(bytes).metadata();
    assert.deepEqual(
      readImageDimensions(bytes, sniffImageFormat(bytes)),
      { width: meta.width, height: meta.height },
      name,
    );
  }
});

test('a header cut short gives no dimensions instead of garbage', async () => {
  const jpeg = await encoded('jpeg', 50, 40);
  assert.equal(readImageDimensions(jpeg.subarray(0, 20), 'jpeg'), undefined);
  assert.equal(readImageDimensions((await encoded('png', 50, 40)).subarray(0, 12), 'png'), undefined);
});
