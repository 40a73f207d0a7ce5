import type { BrazeProperties, BrazePropertyValue } from './braze-wire';

/**
 * Braze's limits on custom event names and properties: names and keys of 1–255 characters not
 * starting with `$` (Braze docs, "Log custom events"), with no control character or `"` (the Web
 * SDK's `CUSTOM_DATA_REGEX`), and at most 50 KB of properties as JSON (the Web SDK's
 * `CUSTOM_PROPERTIES_MAX_SIZE_BYTES`).
 */
export const BRAZE_NAME_LIMITS = Object.freeze({ maxEventNameLength: 255, maxPropertyKeyLength: 255, maxPropertiesBytes: 51_200 });

const EMPTY_PROPERTIES: BrazeProperties = Object.freeze({});

/** True when a name has a character the Braze Web SDK refuses (`/^[^\x00-\x1F\x22]+$/`). */
function hasForbiddenCharacter(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c === 0x22 /* " */) return true;
  }
  return false;
}

function nameProblem(name: string, max: number, what: string): string | null {
  if (name.length === 0 || name.length > max) return `${what} must be 1–${max} characters (got ${name.length})`;
  if (name.charCodeAt(0) === 36 /* $ */) return `${what} must not start with "$"`;
  if (hasForbiddenCharacter(name)) return `${what} must not contain control characters or '"'`;
  return null;
}

/** Sets a property; `__proto__` becomes an ordinary own key instead of changing the prototype. */
function put(out: Record<string, BrazePropertyValue>, key: string, value: BrazePropertyValue): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/** Why Braze refuses a custom event name, or null. */
export function brazeEventNameProblem(name: string): string | null {
  return nameProblem(name, BRAZE_NAME_LIMITS.maxEventNameLength, 'the name');
}

const isDate = (value: object): value is Date => Object.prototype.toString.call(value) === '[object Date]';

/** A Date as the Braze Web SDK sends it (`toValidBackendTimeString`): ISO 8601 in UTC, whole seconds, no zone suffix. */
export const brazeDateString = (date: Date): string => date.toISOString().replace(/\.[0-9]{3}Z$/, '');

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return String(value);
  return `a ${typeof value}`;
}

/** UTF-8 bytes of a string, as the Web SDK counts them (`getByteLength`). */
function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c > 0x7f && c <= 0x7ff) bytes += 1;
    else if (c > 0x7ff) bytes += 2;
    if (c >= 0xdc00 && c <= 0xdfff) i--; // a surrogate pair: 4 bytes for 2 code units
  }
  return bytes;
}

/**
 * Hub event attributes as Braze custom event properties, by Braze's rules:
 * - keys: 1–255 characters, not starting with `$`, without control characters or `"`;
 * - values: string, finite number, boolean, or a valid Date (sent as the Web SDK sends dates,
 *   `2019-05-01T00:00:00`); `null` and `undefined` are left out without a word, as Braze's Web SDK
 *   does (there is nothing to send);
 * - anything else is dropped, and `warn` is called once for the event, naming every dropped key and
 *   why, with `context` in front.
 *
 * Returns null (after one warning) when the properties exceed Braze's 50 KB: Braze's SDK refuses such
 * an event whole. Otherwise a fresh object (later changes to the caller's object never reach a queued
 * payload; a `__proto__` key is an ordinary own key); attributes without keys share one frozen empty
 * object. The common case allocates nothing but that object and its keys array.
 */
export function brazeProperties(
  attributes: Readonly<Record<string, unknown>>,
  context: string,
  warn: (message: string) => void,
): BrazeProperties | null {
  const keys = Object.keys(attributes);
  if (keys.length === 0) return EMPTY_PROPERTIES;
  // A plain object, not Object.create(null): V8 keeps it in fast mode, which makes it several times
  // cheaper to build and to serialize on the event path.
  const out: Record<string, BrazePropertyValue> = {};
  let dropped: string[] | null = null;
  // An upper bound of the JSON size (6 bytes per character covers \uXXXX escapes and UTF-8), so the
  // exact size is only measured for the rare large event.
  let bound = 2;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const value = attributes[key];
    let problem = nameProblem(key, BRAZE_NAME_LIMITS.maxPropertyKeyLength, 'key');
    if (problem === null) {
      if (value === null || value === undefined) continue;
      const type = typeof value;
      if (type === 'string') {
        put(out, key, value as string);
        bound += 6 * (key.length + (value as string).length) + 6;
        continue;
      }
      if (type === 'boolean' || (type === 'number' && Number.isFinite(value))) {
        put(out, key, value as number | boolean);
        bound += 6 * key.length + 28;
        continue;
      }
      if (type === 'object' && isDate(value as object)) {
        if (Number.isFinite((value as Date).getTime())) {
          put(out, key, brazeDateString(value as Date));
          bound += 6 * key.length + 40;
          continue;
        }
        problem = 'value is an invalid Date';
      } else if (type === 'number') {
        problem = `value ${String(value)} is not a finite number`;
      } else {
        problem = `value is ${describeValue(value)}, not a string, number, boolean or Date`;
      }
    }
    (dropped ??= []).push(`"${key.length > 40 ? `${key.slice(0, 40)}…` : key}" (${problem})`);
  }
  if (dropped !== null) {
    const n = dropped.length;
    warn(`${context}: dropped ${n === 1 ? 'a property' : `${n} properties`} Braze does not accept: ${dropped.join(', ')}; the event is sent without ${n === 1 ? 'it' : 'them'}`);
  }
  if (bound > BRAZE_NAME_LIMITS.maxPropertiesBytes) {
    const bytes = utf8Length(JSON.stringify(out));
    if (bytes > BRAZE_NAME_LIMITS.maxPropertiesBytes) {
      warn(`${context}: not sent, its properties take ${bytes} bytes as JSON and Braze refuses events over 50 KB (${BRAZE_NAME_LIMITS.maxPropertiesBytes} bytes)`);
      return null;
    }
  }
  return out;
}
