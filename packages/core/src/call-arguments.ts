/**
 * Reading what the host app passes to a runtime call without ever throwing: a Proxy whose traps
 * throw, a revoked Proxy or a getter that throws is turned into a failure the hub reports as one
 * warning, never into an exception in the app.
 */
import { message } from './messages';

/** Whether `v` is a plain object (a Proxy of one counts); false for anything that throws while being looked at. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  try {
    return Object.prototype.toString.call(v) === '[object Object]';
  } catch {
    return false;
  }
}

/** Whether `v` is an array of strings (the event names options and kits list). */
export const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((e) => typeof e === 'string');

/** `object[key]`, or `fallback` when reading it throws. */
export function readOption(object: Record<string, unknown>, key: string, fallback: unknown): unknown {
  try {
    return object[key];
  } catch {
    return fallback;
  }
}

const copyInto = (out: Record<string, unknown>, key: string, value: unknown): void => {
  // A `__proto__` key stays an own key: it must not become the copy's prototype.
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
};

/**
 * Array elements an event's attributes may hold in all, at any depth, holes included: a copy costs
 * at most this, whatever `length` a sparse array claims (`a.length = 2 ** 32 - 1` would otherwise
 * be copied element by element, out of memory). 10,000 nulls are 50 KB of JSON, Braze's limit for
 * an event's properties.
 */
export const MAX_ARRAY_ELEMENTS = 10_000;

/**
 * A copy of event attributes as they are at the call: own enumerable keys read once, nested plain
 * objects and arrays copied too (a cycle stays a cycle, a hole becomes undefined). An object with a
 * `toJSON` (a class's: a Decimal, a moment, a Luxon DateTime) is copied as what it returns, as
 * JSON and the vendors' SDKs write it, not as its own keys (its internals). Every kit, and calls
 * queued before `start()`, then see the same values, whatever getters or Proxies the app passed.
 * Throws when reading any of it throws (a `toJSON` too), at any depth, or when its arrays hold more
 * than {@link MAX_ARRAY_ELEMENTS} elements in all (the hub refuses the call).
 */
export function snapshotAttributes(source: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // The copy of each object met so far, made at the first one: flat attributes (the common case) need none.
  let copies: Map<object, unknown> | undefined;
  let room = MAX_ARRAY_ELEMENTS;
  /** `json`: the value a `toJSON` returned (whose own is not called, as in JSON). */
  const copy = (value: unknown, json?: boolean): unknown => {
    // (A function is looked at too, below: a function Proxy's traps may throw.)
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return value;
    const done = (copies ??= new Map([[source, out]])).get(value);
    if (done !== undefined) return done;
    if (Array.isArray(value)) {
      const { length } = value;
      if ((room -= length) < 0) throw new RangeError(message(150, MAX_ARRAY_ELEMENTS));
      const list: unknown[] = [];
      copies.set(value, list);
      for (let i = 0; i < length; i++) list.push(copy(value[i]));
      return list;
    }
    // Not isPlainObject, which answers false when looking throws: a Proxy whose traps throw would be
    // kept by reference, and throw in every kit that reads it.
    if (Object.prototype.toString.call(value) !== '[object Object]') return value;
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    // (Called without its key, which JSON would pass: no known toJSON reads it.)
    if (!json && typeof toJSON == 'function') return copy(toJSON.call(value), true);
    const object: Record<string, unknown> = {};
    copies.set(value, object);
    for (const key of Object.keys(value)) copyInto(object, key, copy((value as Record<string, unknown>)[key]));
    return object;
  };
  for (const key of Object.keys(source)) copyInto(out, key, copy(source[key]));
  return out;
}
