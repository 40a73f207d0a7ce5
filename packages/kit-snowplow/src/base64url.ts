/**
 * base64url of a string's UTF-8 bytes, without padding: what the Snowplow trackers put in `cx` and
 * `ue_px` (tracker-core `base64urlencode`: `=` dropped, `+` → `-`, `/` → `_`).
 */

import { nodeBuffer } from './node-buffer';

/** `0`…`9a`…`z`, made rather than written: characters in a row are bytes gzip cannot shorten. */
const BASE36 = Array.from({ length: 36 }, (_, i) => i.toString(36)).join('');
const ALPHABET = BASE36.slice(10).toUpperCase() + BASE36.slice(10) + BASE36.slice(0, 10) + '-_';

/** base64 of a string of bytes (char codes 0–255), as `btoa`. */
type Encode = (bytes: string) => string;

/**
 * `candidate` if it is a `btoa` that encodes bytes as bytes (browsers; Hermes from React Native 0.74
 * on), else undefined: some polyfills encode their input's UTF-8 first, which would garble every
 * non-ASCII character here.
 */
export const platformBtoa = (candidate: unknown): Encode | undefined => {
  try {
    return (candidate as Encode)('\xff\xfe\xfd') == '//79' ? (candidate as Encode) : undefined;
  } catch {
    // Not a function, or it refused: there is no usable btoa.
  }
};

/**
 * The bytes' base64url, unpadded, in JavaScript: what phones without a `btoa` (Hermes before React
 * Native 0.74) use. A loop of string appends, ~40 µs for a 500-character context on Hermes.
 */
export function portableEncode(bytes: string): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    // Three bytes → four digits (past the end charCodeAt is NaN, which `<<` and `|` take as 0).
    const bits = (bytes.charCodeAt(i) << 16) | (bytes.charCodeAt(i + 1) << 8) | bytes.charCodeAt(i + 2);
    for (let shift = 18; shift >= 0; shift -= 6) out += ALPHABET[(bits >> shift) & 63];
  }
  // No padding: only the digits that hold bits of the input.
  return out.slice(0, Math.ceil((bytes.length * 4) / 3));
}

const encode = platformBtoa((globalThis as { btoa?: unknown }).btoa) ?? portableEncode;

/**
 * base64url (no padding) of the UTF-8 encoding of `text`; lone surrogates become U+FFFD, as
 * TextEncoder does. Node's `Buffer` where there is one; else `encode` (a platform `btoa` unless
 * told otherwise) of the UTF-8 bytes, one char code (0–255) each: encodeURIComponent writes them as
 * %XX and unescape reads those back. It throws on a lone surrogate, so those become U+FFFD first
 * (with the u flag the class matches lone surrogates only). Then URL-safe and unpadded by split and
 * join (on Hermes a replace with a regular expression costs five times as much); the portable
 * encoder's output already is.
 */
export const base64url = (text: string, by?: Encode): string =>
  nodeBuffer && !by
    ? nodeBuffer.from(text).toString('base64url')
    : (by ?? encode)(unescape(encodeURIComponent(text.replace(/[\ud800-\udfff]/gu, '\ufffd'))))
        .split('+')
        .join('-')
        .split('/')
        .join('_')
        .split('=')[0]!;
