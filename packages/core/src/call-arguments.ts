/**
 * Reading what the host app passes to a runtime call without ever throwing: a Proxy whose traps
 * throw, a revoked Proxy or a getter that throws is turned into a failure the hub reports as one
 * warning, never into an exception in the app.
 */

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
 * A copy of `value` (nested plain objects and arrays copied too; `copies` maps each original to its
 * copy, so a cycle stays a cycle). Throws when looking at it throws, at any depth.
 */
function copyValue(value: unknown, copies: Map<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const done = copies.get(value);
  if (done !== undefined) return done;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    copies.set(value, out);
    for (let i = 0; i < value.length; i++) out.push(copyValue(value[i], copies));
    return out;
  }
  // Not isPlainObject, which answers false when looking throws: a Proxy whose traps throw would be
  // kept by reference, and throw in every kit that reads it.
  if (Object.prototype.toString.call(value) !== '[object Object]') return value;
  const out: Record<string, unknown> = {};
  copies.set(value, out);
  for (const key of Object.keys(value)) copyInto(out, key, copyValue((value as Record<string, unknown>)[key], copies));
  return out;
}

/**
 * A copy of event attributes as they are at the call: own enumerable keys read once, nested plain
 * objects and arrays copied too (a cycle stays a cycle). Every kit, and calls queued before `start()`,
 * then see the same values, whatever getters or Proxies the app passed. Throws when reading any of
 * it throws (the hub refuses the call).
 */
export function snapshotAttributes(source: Record<string, unknown>): Record<string, unknown> {
  // Flat attributes (the common case) are copied without the map of copies, made at the first object.
  const out: Record<string, unknown> = {};
  let copies: Map<object, unknown> | undefined;
  for (const key of Object.keys(source)) {
    const value = source[key];
    copyInto(out, key, typeof value === 'object' && value !== null ? copyValue(value, (copies ??= new Map([[source, out]]))) : value);
  }
  return out;
}
