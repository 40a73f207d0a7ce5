/**
 * CleverTap's client-side rules for event names and properties (docs/kits/clevertap.md, "Property
 * rules"): forbidden characters are removed, long keys and values are cut, dates become
 * `$D_<epoch seconds>`, and values that are not scalars are not sent.
 */
import { message } from './messages';

/** A property value CleverTap accepts on an event. */
export type CleverTapPropertyValue = string | number | boolean;

/** Event properties (`evtData`): a plain object, a key like `__proto__` defined as an own key. */
export type CleverTapProperties = Record<string, CleverTapPropertyValue>;

/** Why a name, key or value was not sent: CleverTap's rules removed all of it. */
export const NOTHING_LEFT = message(410);

/** Why a property value was not sent. */
export const UNSUPPORTED_VALUE = message(411);

/** Told about each property that could not be sent, and why ({@link NOTHING_LEFT} of its key, or {@link UNSUPPORTED_VALUE}). */
export type OnDroppedProperty = (key: string, why: string) => void;

/**
 * Removes what CleverTap removes (names and keys `. : $ ' " \\`, values `' " \\`), trims, and cuts as
 * CleverTap's SDKs do: to `max` characters (web `substring(0, 1024)`, iOS and Android
 * `substring(0, limit)`), trimmed. (The mobile SDKs trim before removing too; removing only
 * non-space characters, that changes nothing.)
 */
function clean(text: string, forbidden: RegExp, max: number): string {
  const out = text.replace(forbidden, '').trim();
  return out.length > max ? out.substring(0, max).trim() : out;
}

/**
 * An event name (cut at 1024, as the web and iOS SDKs) or, with `max` 120 (the mobile SDKs'
 * `MAX_KEY_LENGTH`), a property key, as CleverTap stores it; '' when nothing is left.
 */
export const cleanName = (name: string, max = 1024): string => clean(name, /[.:$'"\\]/g, max);

/** The value CleverTap receives for `value`, or undefined when it cannot be sent on an event. */
export function propertyValue(value: unknown): CleverTapPropertyValue | undefined {
  // A String, Number or Boolean object stands for its primitive, as in JSON: the web SDK sends the
  // number or boolean (its `isString` takes a String object for a string). (A fake one, whose
  // valueOf throws, is dropped.)
  try {
    if (value instanceof String || value instanceof Number || value instanceof Boolean) value = value.valueOf();
  } catch {}
  if (typeof value == 'string') return clean(value, /['"\\]/g, 1024);
  // -0 is 0 once serialized; say so here, so what is queued is what is sent.
  if (Number.isFinite(value)) return (value as number) || 0;
  if (typeof value == 'boolean') return value;
  // Android's `getTime() / 1000` (Java long division) and iOS's `(long)timeIntervalSince1970`: toward zero, so before 1970 too (-1.5 s is -1).
  if (value instanceof Date && Number.isFinite(value.getTime())) return `$D_${Math.trunc(value.getTime() / 1000)}`;
}


/**
 * The `evtData` of every event without properties: shared, so such events allocate none. Properties
 * are plain objects, not Object.create(null): V8 keeps those in fast mode, several times cheaper to
 * build and to serialize on the event path.
 */
const NO_PROPERTIES: CleverTapProperties = Object.freeze({});

/**
 * Adds `attributes` under CleverTap's rules to `into` (created when there is something to add; none
 * given and nothing to add: a shared empty object), each key after `prefix`. Attributes are read,
 * never kept; what cannot be sent is reported.
 */
export function eventProperties(
  attributes: Readonly<Record<string, unknown>>,
  onDropped?: OnDroppedProperty,
  prefix = '',
  into?: CleverTapProperties,
): CleverTapProperties {
  for (const key of Object.keys(attributes)) {
    const k = cleanName(prefix + key, 120);
    const v = propertyValue(attributes[key]);
    // `__proto__` as an own key (an object literal defines its keys), not a prototype change.
    if (k && v !== undefined) k == '__proto__' ? (into = { ...into, [k]: v }) : ((into ??= {})[k] = v);
    else onDropped?.(prefix + key, k ? UNSUPPORTED_VALUE : NOTHING_LEFT);
  }
  return into ?? NO_PROPERTIES;
}
