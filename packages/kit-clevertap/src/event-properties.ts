/**
 * CleverTap's client-side rules for event names and properties, as its Android SDK applies them before
 * upload (`validation/Validator.java`): forbidden characters are removed, long keys and values are cut,
 * dates become `$D_<epoch seconds>`, and values that are not scalars are not sent.
 */

/** A property value CleverTap accepts on an event. */
export type CleverTapPropertyValue = string | number | boolean;

/** Event properties (`evtData`). Null-prototype, so a key like `__proto__` is an ordinary key. */
export type CleverTapProperties = Record<string, CleverTapPropertyValue>;

/** Why a property was not sent. */
export type DroppedPropertyReason = 'empty-key' | 'unsupported-value';

/** Told about each property that could not be sent. */
export type OnDroppedProperty = (key: string, reason: DroppedPropertyReason) => void;

/**
 * Removes what CleverTap removes (`Validator` eventNameCharsNotAllowed / objectKeyCharsNotAllowed,
 * or objectValueCharsNotAllowed), trims, and cuts as CleverTap does: to `max - 1` characters, trimmed.
 * (CleverTap trims before removing too; removing only non-space characters, that changes nothing.)
 */
function clean(text: string, forbidden: RegExp, max: number): string {
  const out = text.replace(forbidden, '').trim();
  return out.length > max ? out.substring(0, max - 1).trim() : out;
}

/**
 * An event name (cut at `Constants.MAX_VALUE_LENGTH`, 1024) or, with `max` 120
 * (`Constants.MAX_KEY_LENGTH`), a property key, as CleverTap stores it; '' when nothing is left.
 */
export const cleanName = (name: string, max = 1024): string => clean(name, /[.:$'"\\]/g, max);

/** The value CleverTap receives for `value`, or undefined when it cannot be sent on an event. */
export function propertyValue(value: unknown): CleverTapPropertyValue | undefined {
  if (typeof value == 'string') return clean(value, /['"\\]/g, 1024);
  // -0 is 0 once serialized; say so here, so what is queued is what is sent.
  if (typeof value == 'number') return Number.isFinite(value) ? value || 0 : undefined;
  if (typeof value == 'boolean') return value;
  if (value instanceof Date && Number.isFinite(value.getTime())) return `$D_${Math.floor(value.getTime() / 1000)}`;
}

/** An empty properties object (null prototype). */
export const emptyProperties = (): CleverTapProperties => Object.create(null) as CleverTapProperties;

/** Adds one property under CleverTap's rules; reports it when it cannot be sent. */
export function addProperty(target: CleverTapProperties, key: string, value: unknown, onDropped?: OnDroppedProperty): void {
  const k = cleanName(key, 120);
  const v = propertyValue(value);
  if (k && v !== undefined) target[k] = v;
  else onDropped?.(key, k ? 'unsupported-value' : 'empty-key');
}

/** The `evtData` of every event without properties: shared, so such events allocate none. */
const NO_PROPERTIES: CleverTapProperties = Object.freeze(emptyProperties());

/**
 * `evtData` for an event's attributes: at most one object per call (none without attributes);
 * attributes are read, never kept.
 */
export function eventProperties(attributes: Readonly<Record<string, unknown>>, onDropped?: OnDroppedProperty): CleverTapProperties {
  let out: CleverTapProperties | undefined;
  for (const key of Object.keys(attributes)) addProperty((out ??= emptyProperties()), key, attributes[key], onDropped);
  return out ?? NO_PROPERTIES;
}
