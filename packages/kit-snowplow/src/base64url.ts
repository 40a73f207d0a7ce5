/**
 * base64url of a string's UTF-8 bytes, without padding: what the Snowplow trackers put in `cx` and
 * `ue_px` (tracker-core `base64urlencode`: `=` dropped, `+` → `-`, `/` → `_`).
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

interface NodeBuffer {
  from(text: string): { toString(encoding: 'base64url'): string };
  isEncoding?(encoding: string): boolean;
}

// Node (servers) encodes natively, much faster than any JS loop; phones and browsers take the
// portable path (a Buffer polyfill without base64url too).
const buffer = (globalThis as { Buffer?: NodeBuffer }).Buffer;
const native = buffer?.isEncoding?.('base64url') ? buffer : undefined;

/** base64url (no padding) of the UTF-8 encoding of `text`; lone surrogates become U+FFFD, as TextEncoder does. */
export const base64url = (text: string): string => (native ? native.from(text).toString('base64url') : portableBase64url(text));

/** The same without any platform encoder: UTF-8 bytes straight into base64 digits, one pass. */
export function portableBase64url(text: string): string {
  let out = '';
  // Bits not yet written: the low `bits` bits of `acc` (fewer than 6 between bytes).
  let acc = 0;
  let bits = 0;
  const put = (byte: number): void => {
    acc = (acc << 8) | byte;
    for (bits += 8; bits >= 6; ) out += ALPHABET[(acc >> (bits -= 6)) & 63];
  };
  // By code point: a surrogate pair is one; a lone surrogate stays one unit and becomes U+FFFD.
  for (const char of text) {
    let c = char.codePointAt(0)!;
    if ((c & 0x1ff800) == 0xd800) c = 0xfffd;
    if (c < 0x80) put(c);
    else {
      // The lead byte, then `n` continuation bytes of 6 bits each.
      let n = c < 0x800 ? 1 : c < 0x10000 ? 2 : 3;
      put(((0xf0 << (3 - n)) & 0xff) | (c >> (6 * n)));
      while (n--) put(0x80 | ((c >> (6 * n)) & 63));
    }
  }
  return bits ? out + ALPHABET[(acc << (6 - bits)) & 63] : out;
}
