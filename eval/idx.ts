import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';

/**
 * Readers for the idx format of MNIST and Fashion-MNIST: a big-endian header
 * (two zero bytes, a type code, the number of dimensions, then one uint32 per
 * dimension) followed by the values, row-major. Files may be gzip-compressed.
 */

/** Images of an idx3 file: `count` images of `rows` x `cols` bytes, one after the other. */
export interface IdxImages {
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  /** count * rows * cols grey levels (0 = background for Fashion-MNIST, 255 = ink), row-major. */
  readonly pixels: Uint8Array;
}

const UNSIGNED_BYTE = 0x08;
const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** Reads an idx3-ubyte image file (gzip-compressed or not). */
export async function readIdxImages(path: string): Promise<IdxImages> {
  return parseIdxImages(await readIdxBytes(path), path);
}

/** Reads an idx1-ubyte label file (gzip-compressed or not): one byte a label. */
export async function readIdxLabels(path: string): Promise<Uint8Array> {
  return parseIdxLabels(await readIdxBytes(path), path);
}

/** Parses the bytes of an uncompressed idx3-ubyte file. */
export function parseIdxImages(bytes: Uint8Array, what = 'idx data'): IdxImages {
  const { dims, data } = parseIdx(bytes, what);
  if (dims.length !== 3) throw new Error(`${what}: expected 3 dimensions (images), found ${dims.length}`);
  const [count, rows, cols] = dims as [number, number, number];
  return { count, rows, cols, pixels: data };
}

/** Parses the bytes of an uncompressed idx1-ubyte file. */
export function parseIdxLabels(bytes: Uint8Array, what = 'idx data'): Uint8Array {
  const { dims, data } = parseIdx(bytes, what);
  if (dims.length !== 1) throw new Error(`${what}: expected 1 dimension (labels), found ${dims.length}`);
  return data;
}

/** Parses any unsigned-byte idx array; returns its dimensions and a view of its values. */
export function parseIdx(bytes: Uint8Array, what = 'idx data'): { dims: number[]; data: Uint8Array } {
  if (bytes.length < 4) throw new Error(`${what}: too short for an idx header (${bytes.length} bytes)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) throw new Error(`${what}: not an idx file (the first two bytes must be zero)`);
  if (bytes[2] !== UNSIGNED_BYTE) {
    throw new Error(
      `${what}: element type 0x${bytes[2]!.toString(16).padStart(2, '0')} is not supported; only unsigned bytes (0x08)`,
    );
  }
  const rank = bytes[3]!;
  const headerLength = 4 + 4 * rank;
  if (rank === 0 || bytes.length < headerLength) throw new Error(`${what}: truncated idx header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const expected = dims.reduce((a, b) => a * b, 1);
  const available = bytes.length - headerLength;
  if (available !== expected) {
    throw new Error(`${what}: header announces ${expected} values (${dims.join(' x ')}) but ${available} bytes follow`);
  }
  return { dims, data: bytes.subarray(headerLength) };
}

async function readIdxBytes(path: string): Promise<Uint8Array> {
  const raw = await readFile(path);
  const bytes = raw[0] === GZIP_MAGIC[0] && raw[1] === GZIP_MAGIC[1] ? gunzipSync(raw) : raw;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The `index`-th image of a set, as its own rows*cols bytes (a view, not a copy). */
export function idxImageAt(images: IdxImages, index: number): Uint8Array {
  if (!Number.isInteger(index) || index < 0 || index >= images.count) {
    throw new RangeError(`image index ${index} outside 0..${images.count - 1}`);
  }
  const size = images.rows * images.cols;
  return images.pixels.subarray(index * size, (index + 1) * size);
}
