/**
 * base64url of a string's UTF-8 bytes, without padding: what the Snowplow trackers put in `cx` and
 * `ue_px` (tracker-core `base64urlencode`: `=` dropped, `+` → `-`, `/` → `_`).
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

interface NodeBufferLike {
  from(text: string, encoding: 'utf8'): { toString(encoding: 'base64url'): string };
  isEncoding?(encoding: string): boolean;
}

// Node (and servers) have a native encoder that is much faster than any JS loop; phones and
// browsers take the portable path below. Decided once, at load.
const nodeBuffer = (globalThis as { Buffer?: NodeBufferLike }).Buffer;
const hasNativeBase64url = typeof nodeBuffer?.from === 'function' && nodeBuffer.isEncoding?.('base64url') === true;

/** base64url (no padding) of the UTF-8 encoding of `text`; lone surrogates become U+FFFD, as TextEncoder does. */
export function base64url(text: string): string {
  return hasNativeBase64url ? (nodeBuffer as NodeBufferLike).from(text, 'utf8').toString('base64url') : portableBase64url(text);
}

/** The same without any platform encoder: UTF-8 bytes straight into base64 digits, one pass. */
export function portableBase64url(text: string): string {
  const out: string[] = [];
  let chunk = '';
  // Pending bits: up to 2 bytes wait for a full 3-byte group.
  let acc = 0;
  let pending = 0;
  const pushByte = (byte: number): void => {
    acc = (acc << 8) | byte;
    if (++pending === 3) {
      chunk += ALPHABET[(acc >>> 18) & 63]! + ALPHABET[(acc >>> 12) & 63]! + ALPHABET[(acc >>> 6) & 63]! + ALPHABET[acc & 63]!;
      acc = 0;
      pending = 0;
      if (chunk.length >= 4096) {
        out.push(chunk);
        chunk = '';
      }
    }
  };
  const n = text.length;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      pushByte(c);
      continue;
    }
    if (c < 0x800) {
      pushByte(0xc0 | (c >> 6));
      pushByte(0x80 | (c & 63));
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < n ? text.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
        pushByte(0xf0 | (c >> 18));
        pushByte(0x80 | ((c >> 12) & 63));
        pushByte(0x80 | ((c >> 6) & 63));
        pushByte(0x80 | (c & 63));
        continue;
      }
      c = 0xfffd;
    }
    pushByte(0xe0 | (c >> 12));
    pushByte(0x80 | ((c >> 6) & 63));
    pushByte(0x80 | (c & 63));
  }
  if (pending === 1) chunk += ALPHABET[(acc >>> 2) & 63]! + ALPHABET[(acc << 4) & 63]!;
  else if (pending === 2) chunk += ALPHABET[(acc >>> 10) & 63]! + ALPHABET[(acc >>> 4) & 63]! + ALPHABET[(acc << 2) & 63]!;
  out.push(chunk);
  return out.length === 1 ? chunk : out.join('');
}
