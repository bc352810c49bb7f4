/**
 * The escaping that turns an origin or a site into part of a scope name: letters, digits, `.`
 * and `-` stay, every other byte (`_` too) becomes `_` and two upper-case hex digits. It is
 * reversible and never yields `:`, the scope names' separator.
 */

const KEPT = /^[A-Za-z0-9.-]$/;

/** Escapes into letters, digits, `.`, `-` and `_XX` (every other byte, `_` too): reversible, never `:`. */
export function escapeName(text: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && KEPT.test(ch) ? ch : `_${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Reverses escapeName. */
export function unescapeName(escaped: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < escaped.length; i++) {
    if (escaped[i] === '_') {
      bytes.push(parseInt(escaped.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(escaped.charCodeAt(i));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
