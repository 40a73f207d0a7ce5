/**
 * Bytes of `text` in UTF-8 (lone surrogates count as U+FFFD, 3 bytes), without encoding it: the
 * collector limits requests in bytes, while string lengths count UTF-16 units. A payload is mostly
 * ASCII (base64url), which a native regex scan finds without the loop.
 */
export function utf8Length(text: string): number {
  let bytes = text.length;
  if (/^[\0-\x7f]*$/.test(text)) return bytes;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) {
      bytes += c < 0x800 ? 1 : 2;
      // A surrogate pair: 2 units, 4 bytes.
      if ((c & 0xfc00) == 0xd800 && (text.charCodeAt(i + 1) & 0xfc00) == 0xdc00) i++;
    }
  }
  return bytes;
}
