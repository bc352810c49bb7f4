// A replayable RandomSource for the evaluation's end-to-end slice: AES-256-CTR keystream under a key
// derived from (seed, round, device), so the mechanism math and the Prio3 path can draw the very same
// rounding and noise words for a device. Evaluation only: releases draw from cryptoRandomSource.
import { createCipheriv, createHash } from 'node:crypto';
import type { RandomSource } from '../../src/privacy/random/random-source';

export function seededSource(...parts: readonly (number | string)[]): RandomSource {
  const key = createHash('sha256').update(JSON.stringify(parts)).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return {
    fillUint32(target: Uint32Array): void {
      const bytes = cipher.update(Buffer.alloc(target.length * 4));
      for (let i = 0; i < target.length; i++) target[i] = bytes.readUInt32LE(i * 4);
    },
  };
}
