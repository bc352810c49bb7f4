/** SHA-256 of canonical JSON, through Web Crypto (present in browsers, workers and Node 20). */
import { canonicalJson } from './canonical-json';

interface WebPlatform {
  crypto: { subtle: { digest(algorithm: 'SHA-256', data: Uint8Array): Promise<ArrayBuffer> } };
  TextEncoder: new () => { encode(text: string): Uint8Array };
}

/** `sha256:` and the 64 hex digits of the SHA-256 of `value`'s canonical JSON (UTF-8). */
export async function contentHash(value: unknown): Promise<string> {
  // Typed locally: this module compiles without DOM types, so it runs in a worker, a page or Node alike.
  const web = globalThis as unknown as WebPlatform;
  const bytes = new web.TextEncoder().encode(canonicalJson(value));
  const digest = new Uint8Array(await web.crypto.subtle.digest('SHA-256', bytes));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return `sha256:${hex}`;
}
