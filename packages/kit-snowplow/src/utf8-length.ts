/**
 * Bytes of `text` in UTF-8 (lone surrogates count as U+FFFD, 3 bytes), without encoding it: the
 * collector limits requests in bytes, while string lengths count UTF-16 units.
 */

interface NodeBufferLike {
  byteLength(text: string, encoding: 'utf8'): number;
}

// Node's native count is ~20× faster than a JS loop; elsewhere a (native) regex scan lets the
// common all-ASCII payload skip the loop.
const nodeBuffer = (globalThis as { Buffer?: Partial<NodeBufferLike> }).Buffer;
const native = typeof nodeBuffer?.byteLength === 'function' ? (nodeBuffer as NodeBufferLike) : null;
const NON_ASCII = /[^\x00-\x7f]/;

export function utf8Length(text: string): number {
  if (native !== null) return native.byteLength(text, 'utf8');
  return NON_ASCII.test(text) ? portableUtf8Length(text) : text.length;
}

/** The same without any platform help. */
export function portableUtf8Length(text: string): number {
  const n = text.length;
  let bytes = n;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      bytes += 1;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A surrogate pair: 2 units, 4 bytes.
      bytes += 2;
      i++;
    } else {
      bytes += 2;
    }
  }
  return bytes;
}
