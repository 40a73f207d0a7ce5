/**
 * CleverTap's client-side rules for event names and properties, as its Android SDK applies them before
 * upload (`validation/Validator.java`): forbidden characters are removed, long keys and values are cut,
 * dates become `$D_<epoch seconds>`, and values that are not scalars are not sent.
 */

/** A property value CleverTap accepts on an event. */
export type CleverTapPropertyValue = string | number | boolean;

/** Event properties (`evtData`). Null-prototype, so a key like `__proto__` is an ordinary key. */
export type CleverTapProperties = Record<string, CleverTapPropertyValue>;

/** Keys longer than this are cut (CleverTap `Constants.MAX_KEY_LENGTH`). */
export const MAX_KEY_LENGTH = 120;
/** Names and string values longer than this are cut (CleverTap `Constants.MAX_VALUE_LENGTH`). */
export const MAX_VALUE_LENGTH = 1024;

// Validator.eventNameCharsNotAllowed / objectKeyCharsNotAllowed / objectValueCharsNotAllowed.
const NAME_OR_KEY_FORBIDDEN = /[.:$'"\\]/;
const NAME_OR_KEY_FORBIDDEN_ALL = /[.:$'"\\]/g;
const VALUE_FORBIDDEN = /['"\\]/;
const VALUE_FORBIDDEN_ALL = /['"\\]/g;

/** Why a property was not sent. */
export type DroppedPropertyReason = 'empty-key' | 'unsupported-value';

/** Told about each property that could not be sent. */
export type OnDroppedProperty = (key: string, reason: DroppedPropertyReason) => void;

/** Cuts like CleverTap does: to `max - 1` characters, then trims. */
function cut(text: string, max: number): string {
  return text.length > max ? text.substring(0, max - 1).trim() : text;
}

/** An event name or property key as CleverTap stores it; '' when nothing is left. */
export function cleanName(name: string, max: number = MAX_VALUE_LENGTH): string {
  let out = name.trim();
  if (NAME_OR_KEY_FORBIDDEN.test(out)) out = out.replace(NAME_OR_KEY_FORBIDDEN_ALL, '').trim();
  return cut(out, max);
}

/** A property key as CleverTap stores it; '' when nothing is left. */
export function cleanKey(key: string): string {
  return cleanName(key, MAX_KEY_LENGTH);
}

/** The value CleverTap receives for `value`, or undefined when it cannot be sent on an event. */
export function propertyValue(value: unknown): CleverTapPropertyValue | undefined {
  switch (typeof value) {
    case 'string': {
      let out = value.trim();
      if (VALUE_FORBIDDEN.test(out)) out = out.replace(VALUE_FORBIDDEN_ALL, '').trim();
      return cut(out, MAX_VALUE_LENGTH);
    }
    case 'number':
      // -0 is 0 once serialized; say so here, so what is queued is what is sent.
      return Number.isFinite(value) ? (value === 0 ? 0 : value) : undefined;
    case 'boolean':
      return value;
    case 'object':
      if (value instanceof Date) {
        const ms = value.getTime();
        return Number.isFinite(ms) ? `$D_${Math.floor(ms / 1000)}` : undefined;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** An empty properties object (null prototype). */
export function emptyProperties(): CleverTapProperties {
  return Object.create(null) as CleverTapProperties;
}

/** Adds one property under CleverTap's rules; reports it when it cannot be sent. */
export function addProperty(target: CleverTapProperties, key: string, value: unknown, onDropped?: OnDroppedProperty): void {
  const k = cleanKey(key);
  if (k === '') {
    onDropped?.(key, 'empty-key');
    return;
  }
  const v = propertyValue(value);
  if (v === undefined) {
    onDropped?.(key, 'unsupported-value');
    return;
  }
  target[k] = v;
}

/** The `evtData` of every event without properties: shared, so such events allocate none. */
const NO_PROPERTIES: CleverTapProperties = Object.freeze(emptyProperties());

/**
 * `evtData` for an event's attributes: at most one object per call (none without attributes);
 * attributes are read, never kept.
 */
export function eventProperties(attributes: Readonly<Record<string, unknown>>, onDropped?: OnDroppedProperty): CleverTapProperties {
  let out: CleverTapProperties | null = null;
  for (const key in attributes) {
    if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue;
    out ??= emptyProperties();
    addProperty(out, key, attributes[key], onDropped);
  }
  return out ?? NO_PROPERTIES;
}
