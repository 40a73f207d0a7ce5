import type { LogLineType, LogRecord, Platform } from './log-record';
import { NO_ATTRIBUTES } from './parse-record';
import { parseTimestamp } from './timestamp';

/**
 * A fast path for the common NDJSON line: a flat object of the known fields, ASCII text without
 * escapes, attributes a flat object of strings, numbers, booleans and nulls. It reads the line
 * straight from the chunk's text (no per-line string, no intermediate object) and gives the record
 * `parseRecord(JSON.parse(line))` gives. Anything else — an escape, a non-ASCII character, an
 * unknown or repeated key, a nested attribute, a value of the wrong type, bad JSON — returns null,
 * and the caller reads the line with `JSON.parse` and `parseRecord`, which also word its problem.
 * (A property test holds the two paths equal.)
 */

// Below this length V8 copies a substring; from it on `slice` makes a view that keeps the whole
// chunk alive for as long as the string lives (a device id in a map: every chunk, the whole log).
const SLICE_COPIES_BELOW = 13;

/** The line's bytes, and their latin1 decoding (one character per byte) to cut short strings from. */
interface Source {
  readonly text: string;
  readonly bytes: Buffer;
}

// The cursor and a value's result, kept in module variables: no object per value. The scanning
// reads bytes, not characters: a typed array load is much cheaper than String#charCodeAt.
let pos = 0;
let str = '';
let num = 0;

/** The byte at `i`, or -1 at or past the line's end. */
const at = (b: Uint8Array, i: number, end: number): number => (i < end ? b[i]! : -1);

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;

function skipSpace(b: Uint8Array, end: number): number {
  let p = pos;
  while (p < end) {
    const c = b[p]!;
    if (!isSpace(c)) {
      pos = p;
      return c;
    }
    p++;
  }
  pos = p;
  return -1;
}

/** Whether the bytes at `i` are `literal`'s (ASCII) characters. */
function same(b: Uint8Array, i: number, literal: readonly number[]): boolean {
  for (let k = 0; k < literal.length; k++) if (b[i + k] !== literal[k]) return false;
  return true;
}

const codes = (text: string): readonly number[] => Array.from(text, (ch) => ch.charCodeAt(0));

/** A string at `pos` (after its quote) up to its closing quote, into `str`; false when it needs JSON.parse. */
function readString(src: Source, end: number, copy: boolean): boolean {
  const b = src.bytes;
  const start = pos;
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c === 34) {
      pos = i + 1;
      str = i - start < SLICE_COPIES_BELOW || !copy ? src.text.slice(start, i) : src.bytes.toString('latin1', start, i);
      return true;
    }
    // An escape, a control character (bad JSON) or a byte of a multi-byte character.
    if (c === 92 || c < 32 || c > 126) return false;
  }
  return false;
}

/** The quoted string at `pos` (after its quote) when it is `literal`, else false. */
function readLiteralString(b: Uint8Array, end: number, literal: readonly number[]): boolean {
  const close = pos + literal.length;
  if (close < end && b[close] === 34 && same(b, pos, literal)) {
    pos = close + 1;
    return true;
  }
  return false;
}

/** A JSON number at `pos` into `num`; false when it is not one in JSON's grammar. */
function readNumber(src: Source, end: number): boolean {
  const b = src.bytes;
  const start = pos;
  let i = pos;
  let c = at(b, i, end);
  const negative = c === 45;
  if (negative) c = at(b, ++i, end);
  if (c === 48) c = at(b, ++i, end);
  else if (c >= 49 && c <= 57) {
    do c = at(b, ++i, end);
    while (c >= 48 && c <= 57);
  } else return false;
  const intEnd = i;
  let plain = true;
  if (c === 46) {
    plain = false;
    const first = ++i;
    while ((c = at(b, i, end)) >= 48 && c <= 57) i++;
    if (i === first) return false;
  }
  if (c === 101 || c === 69) {
    plain = false;
    c = at(b, ++i, end);
    if (c === 43 || c === 45) i++;
    const first = i;
    while ((c = at(b, i, end)) >= 48 && c <= 57) i++;
    if (i === first) return false;
  }
  pos = i;
  const digits = intEnd - start - (negative ? 1 : 0);
  if (plain && digits <= 15) {
    // Exact: below 2^53. Same value as JSON.parse (-0 included).
    let v = 0;
    for (let k = intEnd - digits; k < intEnd; k++) v = v * 10 + (b[k]! - 48);
    num = negative ? -v : v;
  } else num = Number(src.text.slice(start, i));
  return true;
}

const TRUE = codes('true');
const FALSE = codes('false');
const NULL = codes('null');

function readWord(b: Uint8Array, end: number, word: readonly number[]): boolean {
  if (pos + word.length <= end && same(b, pos, word)) {
    pos += word.length;
    return true;
  }
  return false;
}

/** A flat object of strings, numbers, booleans and nulls at `pos` (after its brace), or null. */
function readAttributes(src: Source, end: number): Record<string, unknown> | null {
  const b = src.bytes;
  const out: Record<string, unknown> = {};
  let c = skipSpace(b, end);
  if (c === 125) {
    pos++;
    return out;
  }
  for (;;) {
    if (c !== 34) return null;
    pos++;
    if (!readString(src, end, false)) return null;
    const key = str;
    // JSON.parse makes __proto__ an own key; an assignment would set the prototype.
    if (key === '__proto__') return null;
    if (skipSpace(b, end) !== 58) return null;
    pos++;
    c = skipSpace(b, end);
    let value: unknown;
    if (c === 34) {
      pos++;
      if (!readString(src, end, true)) return null;
      value = str;
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      if (!readNumber(src, end)) return null;
      value = num;
    } else if (readWord(b, end, TRUE)) value = true;
    else if (readWord(b, end, FALSE)) value = false;
    else if (readWord(b, end, NULL)) value = null;
    else return null;
    out[key] = value;
    c = skipSpace(b, end);
    pos++;
    if (c === 125) return out;
    if (c !== 44) return null;
    c = skipSpace(b, end);
  }
}

// Keys, as bits of `seen`.
const DEVICE = 1;
const TIMESTAMP = 2;
const TYPE = 4;
const NAME = 8;
const ATTRIBUTES = 16;
const AFFECTS = 32;
const PLATFORM = 64;
const USER = 128;
const K_TYPE = codes('type');
const K_NAME = codes('name');
const K_USER = codes('userId');
const K_DEVICE = codes('deviceId');
const K_PLATFORM = codes('platform');
const K_TIMESTAMP = codes('timestamp');
const K_ATTRIBUTES = codes('attributes');
const K_AFFECTS = codes('affectsSession');

/** The position of the next quote from `pos`, before `end`; -1 when there is none. */
function nextQuote(b: Uint8Array, end: number): number {
  for (let i = pos; i < end; i++) if (b[i] === 34) return i;
  return -1;
}

/** The key at `pos` (after its quote), as its bit, or 0 when it is not a field of the log. */
function readKey(b: Uint8Array, end: number): number {
  const close = nextQuote(b, end);
  if (close === -1) return 0;
  let key: number;
  let literal: readonly number[];
  const first = b[pos];
  switch (close - pos) {
    case 4:
      key = first === 116 ? TYPE : NAME;
      literal = first === 116 ? K_TYPE : K_NAME;
      break;
    case 6:
      key = USER;
      literal = K_USER;
      break;
    case 8:
      key = first === 100 ? DEVICE : PLATFORM;
      literal = first === 100 ? K_DEVICE : K_PLATFORM;
      break;
    case 9:
      key = TIMESTAMP;
      literal = K_TIMESTAMP;
      break;
    case 10:
      key = ATTRIBUTES;
      literal = K_ATTRIBUTES;
      break;
    case 14:
      key = AFFECTS;
      literal = K_AFFECTS;
      break;
    default:
      return 0;
  }
  if (!same(b, pos, literal)) return 0;
  pos = close + 1;
  return key;
}

const V_EVENT = codes('event');
const V_LAUNCH = codes('launch');
const V_FOREGROUND = codes('foreground');
const V_BACKGROUND = codes('background');
const V_MOBILE = codes('mobile');
const V_WEB = codes('web');

/** The line type at `pos` (after its quote), or null. */
function readType(b: Uint8Array, end: number): LogLineType | null {
  if (readLiteralString(b, end, V_EVENT)) return 'event';
  if (readLiteralString(b, end, V_FOREGROUND)) return 'foreground';
  if (readLiteralString(b, end, V_BACKGROUND)) return 'background';
  if (readLiteralString(b, end, V_LAUNCH)) return 'launch';
  return null;
}

/**
 * The record of the NDJSON line `src.text[start, end)` (line number `line`), or null when the
 * line is not in the fast path's shape or has a problem: then read it with JSON.parse.
 */
export function fastRecord(src: Source, start: number, end: number, line: number): LogRecord | null {
  const b = src.bytes;
  pos = start;
  if (skipSpace(b, end) !== 123) return null;
  pos++;
  let seen = 0;
  let deviceId = '';
  let t = NaN;
  let type: LogLineType | null = null;
  let name: string | null = null;
  let attributes: Readonly<Record<string, unknown>> = NO_ATTRIBUTES;
  let affectsSession = true;
  let platform: Platform | null = null;
  let userId: string | null | undefined;
  let c = skipSpace(b, end);
  if (c === 125) return null;
  for (;;) {
    if (c !== 34) return null;
    pos++;
    const key = readKey(b, end);
    if (key === 0 || (seen & key) !== 0) return null;
    seen |= key;
    if (skipSpace(b, end) !== 58) return null;
    pos++;
    c = skipSpace(b, end);
    const quoted = c === 34;
    if (quoted) pos++;
    switch (key) {
      case DEVICE:
        if (!quoted || !readString(src, end, true) || str.length === 0) return null;
        deviceId = str;
        break;
      case TIMESTAMP: {
        let value: number | string;
        if (quoted) {
          if (!readString(src, end, false)) return null;
          value = str;
        } else {
          if (!readNumber(src, end)) return null;
          value = num;
        }
        const parsed = parseTimestamp(value);
        if (typeof parsed === 'string') return null;
        t = parsed;
        break;
      }
      case TYPE:
        if (!quoted) return null;
        type = readType(b, end);
        if (type === null) return null;
        break;
      case NAME:
        if (!quoted || !readString(src, end, true)) return null;
        name = str;
        break;
      case ATTRIBUTES: {
        if (c !== 123) return null;
        pos++;
        const a = readAttributes(src, end);
        if (a === null) return null;
        attributes = a;
        break;
      }
      case AFFECTS:
        if (readWord(b, end, TRUE)) affectsSession = true;
        else if (readWord(b, end, FALSE)) affectsSession = false;
        else return null;
        break;
      case PLATFORM:
        if (quoted && readLiteralString(b, end, V_MOBILE)) platform = 'mobile';
        else if (quoted && readLiteralString(b, end, V_WEB)) platform = 'web';
        else return null;
        break;
      default: // USER
        if (quoted) {
          if (!readString(src, end, true) || str.length === 0) return null;
          userId = str;
        } else if (readWord(b, end, NULL)) userId = null;
        else return null;
    }
    c = skipSpace(b, end);
    pos++;
    if (c === 125) break;
    if (c !== 44) return null;
    c = skipSpace(b, end);
  }
  if (skipSpace(b, end) !== -1) return null;
  if ((seen & (DEVICE | TIMESTAMP | TYPE)) !== (DEVICE | TIMESTAMP | TYPE)) return null;
  if (type === 'event') {
    if (name === null || name.length === 0) return null;
  } else {
    // A lifecycle line has no name or attributes in its record, and cannot be session-neutral.
    if (!affectsSession) return null;
    name = null;
    attributes = NO_ATTRIBUTES;
  }
  return { line, deviceId, t, type: type!, name, attributes, affectsSession, platform, userId };
}
