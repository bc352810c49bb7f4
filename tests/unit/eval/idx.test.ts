import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { idxImageAt, parseIdx, parseIdxImages, parseIdxLabels, readIdxImages, readIdxLabels } from '../../../eval/idx';

const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

function idx(dims: number[], values: number[]): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(header.length + values.length);
  out.set(header);
  out.set(values, header.length);
  return out;
}

test('an idx3 file gives its images row-major, and each image can be sliced out', () => {
  const bytes = idx([2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const images = parseIdxImages(bytes);
  assert.equal(images.count, 2);
  assert.equal(images.rows, 2);
  assert.equal(images.cols, 3);
  assert.deepEqual([...images.pixels], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  assert.deepEqual([...idxImageAt(images, 1)], [7, 8, 9, 10, 11, 12]);
  assert.throws(() => idxImageAt(images, 2), RangeError);
});

test('an idx1 file gives one label a byte', () => {
  assert.deepEqual([...parseIdxLabels(idx([4], [9, 0, 3, 3]))], [9, 0, 3, 3]);
});

test('dimensions are read big-endian and must match the data that follows', () => {
  assert.deepEqual(parseIdx(idx([256, 1], new Array(256).fill(7))).dims, [256, 1]);
  assert.throws(() => parseIdx(idx([3], [1, 2])), /announces 3 values .* but 2 bytes follow/);
  assert.throws(() => parseIdx(idx([1], [1, 2])), /announces 1 values/);
});

test('malformed headers are refused with a reason', () => {
  assert.throws(() => parseIdx(new Uint8Array([0, 0])), /too short/);
  assert.throws(() => parseIdx(new Uint8Array([1, 0, 8, 1, 0, 0, 0, 0])), /not an idx file/);
  assert.throws(() => parseIdx(new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 0])), /element type 0x0d is not supported/);
  assert.throws(() => parseIdx(new Uint8Array([0, 0, 8, 2, 0, 0, 0, 1])), /truncated idx header/);
  assert.throws(() => parseIdxImages(idx([2], [1, 2])), /expected 3 dimensions/);
  assert.throws(() => parseIdxLabels(idx([1, 1, 1], [1])), /expected 1 dimension/);
});

test('files are read with or without gzip', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'obscura-idx-'));
  try {
    const images = idx([1, 2, 2], [0, 64, 128, 255]);
    await writeFile(join(dir, 'images.gz'), gzipSync(images));
    await writeFile(join(dir, 'labels'), idx([1], [5]));
    const read = await readIdxImages(join(dir, 'images.gz'));
    assert.deepEqual([read.count, read.rows, read.cols, ...read.pixels], [1, 2, 2, 0, 64, 128, 255]);
    assert.deepEqual([...(await readIdxLabels(join(dir, 'labels')))], [5]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test(
  'the installed Fashion-MNIST test set has 10 000 28x28 images and labels 0-9',
  { skip: !existsSync(FASHION_MNIST_DIR) && 'dataset-fashion-mnist is not installed' },
  async () => {
    const images = await readIdxImages(join(FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz'));
    const labels = await readIdxLabels(join(FASHION_MNIST_DIR, 't10k-labels-idx1-ubyte.gz'));
    assert.deepEqual([images.count, images.rows, images.cols], [10000, 28, 28]);
    assert.equal(labels.length, 10000);
    assert.deepEqual(
      [...new Set(labels)].sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    // The documented first test labels: ankle boot, pullover, trouser, trouser, shirt.
    assert.deepEqual([...labels.subarray(0, 5)], [9, 2, 1, 1, 6]);
  },
);
