import type { BrazeProperties, BrazePropertyValue } from './braze-wire';

/** Braze's limits on custom event names and property keys (Braze docs, "Log custom events"). */
export const BRAZE_NAME_LIMITS = Object.freeze({ maxEventNameLength: 255, maxPropertyKeyLength: 255 });

const EMPTY_PROPERTIES: BrazeProperties = Object.freeze(Object.create(null) as Record<string, BrazePropertyValue>);

/** Why Braze refuses a custom event name, or null: 1–255 characters, not starting with `$`. */
export function brazeEventNameProblem(name: string): string | null {
  if (name.length === 0 || name.length > BRAZE_NAME_LIMITS.maxEventNameLength) {
    return `must be 1–${BRAZE_NAME_LIMITS.maxEventNameLength} characters (got ${name.length})`;
  }
  if (name.charCodeAt(0) === 36 /* $ */) return 'must not start with "$" (Braze reserves those names)';
  return null;
}

function keyProblem(key: string): string | null {
  if (key.length === 0 || key.length > BRAZE_NAME_LIMITS.maxPropertyKeyLength) {
    return `key must be 1–${BRAZE_NAME_LIMITS.maxPropertyKeyLength} characters`;
  }
  if (key.charCodeAt(0) === 36 /* $ */) return 'key starts with "$"';
  return null;
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return String(value);
  return `a ${typeof value}`;
}

/**
 * Hub event attributes as Braze custom event properties: keys of 1–255 characters not starting with
 * `$`; values string, finite number, boolean, null, or a valid Date (sent as an ISO 8601 string, which
 * Braze reads as a time). Anything else is dropped, and `warn` is called once, naming every dropped key
 * and why, with `context` in front.
 *
 * The result is a fresh null-prototype object (so `__proto__` is an ordinary key and later changes to
 * the caller's object do not leak into a queued payload); attributes without keys share one frozen
 * empty object.
 */
export function brazeProperties(
  attributes: Readonly<Record<string, unknown>>,
  context: string,
  warn: (message: string) => void,
): BrazeProperties {
  const keys = Object.keys(attributes);
  if (keys.length === 0) return EMPTY_PROPERTIES;
  const out = Object.create(null) as Record<string, BrazePropertyValue>;
  let dropped: string[] | null = null;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const value = attributes[key];
    let problem = keyProblem(key);
    if (problem === null) {
      if (value === null || typeof value === 'string' || typeof value === 'boolean') {
        out[key] = value;
        continue;
      }
      if (typeof value === 'number') {
        if (Number.isFinite(value)) {
          out[key] = value;
          continue;
        }
        problem = `value ${value} is not a finite number`;
      } else if (value instanceof Date) {
        const t = value.getTime();
        if (Number.isFinite(t)) {
          out[key] = value.toISOString();
          continue;
        }
        problem = 'value is an invalid Date';
      } else {
        problem = `value is ${kindOf(value)}, not a string, number, boolean, null or Date`;
      }
    }
    (dropped ??= []).push(`"${key.length > 40 ? `${key.slice(0, 40)}…` : key}" (${problem})`);
  }
  if (dropped !== null) {
    warn(`${context}: dropped ${dropped.length === 1 ? 'a property' : `${dropped.length} properties`} Braze does not accept: ${dropped.join(', ')}; the event is sent without ${dropped.length === 1 ? 'it' : 'them'}`);
  }
  return out;
}
