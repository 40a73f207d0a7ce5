import { utf8Length } from '@sessionhub/delivery';
import { message } from './braze-messages';
import type { BrazeProperties, BrazePropertyValue } from './braze-wire';

/**
 * Braze's rule for event property keys: no control character or `"` (the Web SDK's
 * `CUSTOM_DATA_REGEX`, which refuses the whole event) and 1–255 characters (Braze's docs; the Web
 * SDK checks no length). Custom event names follow it too, and may not start with `$` (Braze docs,
 * "Log custom events"); a key may (the Web SDK refuses it only in custom attribute keys).
 */
const KEY = /^[^\0-\x1f"]{1,255}$/;

/** Properties of one event, as JSON, at most (the Web SDK's `CUSTOM_PROPERTIES_MAX_SIZE_BYTES`, 50 KB). */
const MAX_PROPERTIES_BYTES = 51_200;

/** No properties (also the data of a session start, `ss`): frozen, shared. */
export const EMPTY_PROPERTIES: BrazeProperties = Object.freeze({});

/** True when Braze takes `name` as a custom event name (1 to 255 characters, not starting with `$`, without control characters or `"`). */
export const isBrazeName = (name: string): boolean => name[0] != '$' && KEY.test(name);

/** A Date as the Braze Web SDK sends it (`toValidBackendTimeString`): ISO 8601 in UTC, whole seconds, no zone suffix. */
export const brazeDateString = (date: Date): string => date.toISOString().slice(0, -5);

/**
 * A value as its JSON, by Braze's rules, at any depth: a Date becomes the Web SDK's date string (an
 * invalid one null, as in JSON); an object that is neither a plain one, an array nor a Date (a Map,
 * a Set, a boxed string…) throws: its JSON (`{}`, or the string) is not what the app holds, and the
 * Web SDK refuses it (the same test as the Web SDK's: a class instance is a plain object).
 */
function brazeJson(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const v = this[key];
  if (v instanceof Date) return value && brazeDateString(v);
  if (value && typeof value == 'object' && !Array.isArray(value) && {}.toString.call(value) != '[object Object]') throw 0;
  return value;
}

/** A value as Braze takes it: null when there is nothing to send, undefined when Braze refuses it. */
function brazeValue(value: unknown): BrazePropertyValue | undefined {
  if (value == null) return null;
  // -0 is 0 once serialized: say so here, so what is queued is what is sent.
  if (typeof value == 'number') return Number.isFinite(value) ? value || 0 : undefined;
  if (typeof value == 'string' || typeof value == 'boolean') return value;
  // A Date, nested objects and arrays, as the Web SDK sends them: its JSON copy, with Dates as date
  // strings. A cycle, a bigint, a getter that throws or a Map, Set or the like, at any depth, refuses
  // the value, and so does an invalid Date (its JSON null) at the top.
  if (typeof value == 'object') {
    try {
      return JSON.parse(JSON.stringify(value, brazeJson)) ?? undefined;
    } catch {}
  }
  return undefined;
}

/**
 * Hub event attributes as Braze custom event properties, by Braze's rules:
 * - keys: 1–255 characters without control characters or `"` (a leading `$` is fine);
 * - values: string, finite number, boolean, a valid Date (sent as the Web SDK sends dates,
 *   `2019-05-01T00:00:00`), or a nested plain object or array (sent as its JSON, Dates inside as date
 *   strings, an invalid one null, as JSON writes it; a Map, Set or other object inside refuses it, as
 *   the Web SDK refuses the event); `null` and `undefined` are left out without a word, as Braze's Web
 *   SDK does (there is nothing to send);
 * - anything else is dropped, and `warn` is called once for the event, naming every dropped key
 *   (with `context` in front).
 *
 * Returns null (after one warning) when the properties exceed Braze's 50 KB: Braze's SDK refuses such
 * an event whole. Otherwise a fresh object (later changes to the caller's object never reach a queued
 * payload; a `__proto__` key is an ordinary own key); attributes without keys share one frozen empty
 * object.
 */
export function brazeProperties(
  attributes: Readonly<Record<string, unknown>>,
  context: string,
  warn: (message: string) => void,
): BrazeProperties | null {
  const keys = Object.keys(attributes);
  if (!keys.length) return EMPTY_PROPERTIES;
  // A plain object, not Object.create(null): V8 keeps it in fast mode, which makes it several times
  // cheaper to build and to serialize on the event path.
  let out: Record<string, BrazePropertyValue> = {};
  let dropped = '';
  // An upper bound of the JSON size (6 bytes per character covers \uXXXX escapes and UTF-8), so the
  // exact size is only measured for the rare large event.
  let bound = 2;
  for (const key of keys) {
    const valid = KEY.test(key);
    const value = brazeValue(attributes[key]);
    if (value === null) continue;
    if (valid && value !== undefined) {
      // `__proto__` as an own key, not a prototype change: an object literal defines its keys.
      if (key == '__proto__') out = { ...out, [key]: value };
      else out[key] = value;
      // A nested value is measured exactly (below).
      bound += typeof value == 'object' ? MAX_PROPERTIES_BYTES : 6 * (key + value).length + 40;
    // As JSON text: a key refused for a '"' or a control character shows it escaped.
    } else dropped += `${dropped && ', '}${JSON.stringify(key.length > 40 ? key.slice(0, 40) + '...' : key)} (${valid ? 'value' : 'key'})`;
  }
  if (dropped) {
    warn(
      message(311, context, dropped),
    );
  }
  if (bound > MAX_PROPERTIES_BYTES) {
    const bytes = utf8Length(JSON.stringify(out));
    if (bytes > MAX_PROPERTIES_BYTES) {
      warn(message(312, context, bytes));
      return null;
    }
  }
  return out;
}
