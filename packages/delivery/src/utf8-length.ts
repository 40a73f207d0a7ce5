/** Any character outside ASCII (a regular expression scans much faster than a loop over char codes). */
const NON_ASCII = /[^\0-\x7f]/;

/** Bytes of `text` in UTF-8, without allocating an encoded copy. */
export function utf8Length(text: string): number {
  let bytes = text.length;
  // Most payloads are ASCII: one byte per character.
  if (!NON_ASCII.test(text)) return bytes;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // 2 bytes up to U+07FF, 3 up to U+FFFF; a surrogate pair is 2 UTF-16 units and 4 bytes.
    if (c > 0x7f) bytes += c > 0x7ff && (c < 0xd800 || c > 0xdfff) ? 2 : 1;
  }
  return bytes;
}
