/**
 * SHA-256, synchronous. The ledger's schema upgrade must hash stored shares inside its
 * versionchange transaction, which commits at the first await on anything but IndexedDB,
 * so Web Crypto's promise-based digest cannot serve there; one function serves the upgrade
 * and every release alike. @noble/hashes is the audited implementation the Prio3 stack
 * already ships.
 */
import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex } from '@noble/hashes/utils';

/** The digest of `bytes`, as lowercase hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}
