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
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if ((c & 0xf800) == 0xd800) {
      const low = text.charCodeAt(i + 1);
      c = c < 0xdc00 && (low & 0xfc00) == 0xdc00 ? (i++, 0x10000 + ((c - 0xd800) << 10) + low - 0xdc00) : 0xfffd;
    }
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
