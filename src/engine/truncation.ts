import type { SniffedFormat } from './sniff-format';

/**
 * True when a file's last bytes lack its format's end marker. Browsers paint a
 * truncated JPEG or PNG as a grey-bottomed image without any error, which would
 * yield a plausible but wrong feature vector.
 */
export function isTruncated(format: SniffedFormat, tail: Uint8Array): boolean {
  const end = trimTrailingZeros(tail);
  switch (format) {
    case 'jpeg':
      return !(end.at(-2) === 0xff && end.at(-1) === 0xd9);
    case 'png':
      // The IEND chunk: "IEND" followed by its CRC (ae 42 60 82).
      return !endsWith(end, [0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
    case 'gif':
      return end.at(-1) !== 0x3b;
    default:
      return false;
  }
}

/** Some writers pad files with zeros after the end marker. */
function trimTrailingZeros(bytes: Uint8Array): Uint8Array {
  let n = bytes.length;
  while (n > 0 && bytes[n - 1] === 0) n--;
  return bytes.subarray(0, n);
}

function endsWith(bytes: Uint8Array, suffix: readonly number[]): boolean {
  if (bytes.length < suffix.length) return false;
  return suffix.every((b, i) => bytes[bytes.length - suffix.length + i] === b);
}
