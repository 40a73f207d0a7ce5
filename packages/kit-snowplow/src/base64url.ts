/**
 * base64url of a string's UTF-8 bytes, without padding: what the Snowplow trackers put in `cx` and
 * `ue_px` (tracker-core `base64urlencode`: `=` dropped, `+` → `-`, `/` → `_`).
 */

import { nodeBuffer } from './node-buffer';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url (no padding) of the UTF-8 encoding of `text`; lone surrogates become U+FFFD, as TextEncoder does. */
export const base64url = (text: string): string => (nodeBuffer ? nodeBuffer.from(text).toString('base64url') : portableBase64url(text));

/** The same without any platform encoder. */
export function portableBase64url(text: string): string {
  // The UTF-8 bytes, one char code (0–255) each: encodeURIComponent writes them as %XX and unescape
  // reads those back. It throws on a lone surrogate, so those become U+FFFD first (with the u flag the
  // class matches lone surrogates only).
  const bytes = unescape(encodeURIComponent(text.replace(/[\ud800-\udfff]/gu, '\ufffd')));
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    // Three bytes → four digits (past the end charCodeAt is NaN, which `<<` and `|` take as 0).
    const bits = (bytes.charCodeAt(i) << 16) | (bytes.charCodeAt(i + 1) << 8) | bytes.charCodeAt(i + 2);
    for (let shift = 18; shift >= 0; shift -= 6) out += ALPHABET[(bits >> shift) & 63];
  }
  // No padding: only the digits that hold bits of the input.
  return out.slice(0, Math.ceil((bytes.length * 4) / 3));
}
