/**
 * Wire formats of Prio3 messages. @divviup/prio3 encodes but does not decode, so the
 * decoders are here, following the VDAF draft's encodings: field elements are 16-byte
 * little-endian Field128 values; the helper's input share is three 16-byte seeds from
 * which it expands its measurement and proof shares (VDAF-08 §7.2, usages 1 and 2).
 */
import { Buffer } from 'buffer';
import { ObscuraError } from '../errors';
import type { SumVec } from './task';

const SEED = 16;
const MEASUREMENT_SHARE = 1;
const PROOF_SHARE = 2;

export type PublicShare = { jointRandParts: Buffer[] };
export type InputShare = {
  measurementShare: bigint[];
  proofsShare: bigint[];
  wireMeasurementShare: Buffer;
  wireProofShare: Buffer;
  blind: Buffer;
};
export type PreparationShare = { verifiersShare: bigint[]; jointRandomnessPart: Buffer };

function invalid(message: string): ObscuraError {
  return new ObscuraError('InvalidReportError', message);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url without padding (RFC 4648 §5), written out: the browser's Buffer polyfill lacks it. */
export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let c = 0; c < chars; c++) out += ALPHABET[(n >>> (18 - 6 * c)) & 63];
  }
  return out;
}

export function fromBase64Url(text: unknown, what: string): Buffer {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1)
    throw invalid(`${what} must be unpadded base64url`);
  const out = Buffer.alloc(Math.floor((text.length * 6) / 8));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (const ch of text) {
    acc = (acc << 6) | ALPHABET.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 255;
    }
    acc &= (1 << bits) - 1;
  }
  return out;
}

function elementSize(vdaf: SumVec): number {
  return vdaf.flp.field.encodedSize;
}

/** Bytes of each aggregator's input share, for length checks before decoding. */
export function inputShareLength(vdaf: SumVec, aggregatorId: number): number {
  const { flp, proofs } = vdaf;
  return aggregatorId === 0 ? (flp.measurementLen + flp.proofLen * proofs) * elementSize(vdaf) + SEED : 3 * SEED;
}

export function decodePublicShare(vdaf: SumVec, bytes: Buffer): PublicShare {
  if (bytes.length !== vdaf.shares * SEED) throw invalid(`public share must be ${vdaf.shares * SEED} bytes`);
  return { jointRandParts: Array.from({ length: vdaf.shares }, (_, i) => bytes.subarray(i * SEED, (i + 1) * SEED)) };
}

/** The leader's share is explicit; the helper's is expanded from its seeds. */
export async function decodeInputShare(vdaf: SumVec, aggregatorId: 0 | 1, bytes: Buffer): Promise<InputShare> {
  const expected = inputShareLength(vdaf, aggregatorId);
  if (bytes.length !== expected)
    throw invalid(`input share ${aggregatorId} must be ${expected} bytes, got ${bytes.length}`);
  const { flp, proofs, xof } = vdaf;
  const field = flp.field;
  if (aggregatorId === 0) {
    const m = flp.measurementLen * elementSize(vdaf);
    const wireMeasurementShare = bytes.subarray(0, m);
    const wireProofShare = bytes.subarray(m, bytes.length - SEED);
    const decode = (b: Buffer) => {
      try {
        return field.decode(b);
      } catch {
        throw invalid('input share holds a value outside the field');
      }
    };
    return {
      measurementShare: decode(wireMeasurementShare),
      proofsShare: decode(wireProofShare),
      wireMeasurementShare,
      wireProofShare,
      blind: bytes.subarray(bytes.length - SEED),
    };
  }
  const wireMeasurementShare = bytes.subarray(0, SEED);
  const wireProofShare = bytes.subarray(SEED, 2 * SEED);
  const measurementShare = await xof.expandIntoVec(
    field,
    wireMeasurementShare,
    vdaf.domainSeparationTag(MEASUREMENT_SHARE),
    Buffer.of(aggregatorId),
    flp.measurementLen,
  );
  const proofsShare = await xof.expandIntoVec(
    field,
    wireProofShare,
    vdaf.domainSeparationTag(PROOF_SHARE),
    Buffer.from([proofs, aggregatorId]),
    flp.proofLen * proofs,
  );
  return { measurementShare, proofsShare, wireMeasurementShare, wireProofShare, blind: bytes.subarray(2 * SEED) };
}

export function decodePreparationShare(vdaf: SumVec, bytes: Buffer): PreparationShare {
  const n = vdaf.flp.verifierLen * vdaf.proofs * elementSize(vdaf);
  if (bytes.length !== n + SEED) throw invalid(`preparation share must be ${n + SEED} bytes`);
  let verifiersShare: bigint[];
  try {
    verifiersShare = vdaf.flp.field.decode(bytes.subarray(0, n));
  } catch {
    throw invalid('preparation share holds a value outside the field');
  }
  return { verifiersShare, jointRandomnessPart: bytes.subarray(n) };
}

/** A vector of field elements (an output or aggregate share). */
export function encodeFieldVector(vdaf: SumVec, values: bigint[]): Buffer {
  return Buffer.from(vdaf.flp.field.encode(values));
}

export function decodeFieldVector(vdaf: SumVec, bytes: Uint8Array, length: number): bigint[] {
  if (bytes.length !== length * elementSize(vdaf)) throw invalid(`expected ${length} field elements`);
  return vdaf.flp.field.decode(bytes);
}
