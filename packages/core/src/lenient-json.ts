/**
 * JSON text of records that carry values the app gave (event attributes): what JSON can hold, never
 * an exception. Attributes are copied as they were given (a BigInt, a cycle, a Date or any other
 * object kept by reference), and a commit that stores them must not throw on one.
 */

/**
 * `JSON.stringify(value)`, or when that throws, the JSON of what JSON can hold: a BigInt is dropped
 * as JSON drops a function or undefined (its key left out, null in an array), and so is an object met
 * again inside itself (a cycle) and a value whose looking at throws (a toJSON, a getter, a Proxy trap).
 */
export function lenientJson(value: object): string {
  try {
    return JSON.stringify(value);
  } catch {
    try {
      return JSON.stringify(held({ '': value }, '', []));
    } catch {
      // A text longer than a string can be: none.
      return 'null';
    }
  }
}

/**
 * What JSON can hold of `holder[key]` (undefined: nothing), as a copy that JSON.stringify writes
 * without calling anything of the app's: primitives, arrays and objects without a prototype (so a
 * boxed primitive such as `new Number(1)` reads as `{}` here, a loss only beside a value that made
 * JSON.stringify throw). `path`: the objects it is in.
 */
function held(holder: Record<string, unknown>, key: string, path: unknown[]): unknown {
  const depth = path.length;
  try {
    let value = holder[key];
    const toJSON = (value as { toJSON?: unknown } | null | undefined)?.toJSON;
    if (typeof toJSON == 'function') value = toJSON.call(value, key);
    if (typeof value == 'bigint' || typeof value == 'function' || path.includes(value)) return;
    if (typeof value != 'object' || value === null) return value;
    path.push(value);
    const copy: Record<string, unknown> = Array.isArray(value) ? [] : Object.create(null);
    for (const k of Object.keys(value)) copy[k] = held(value as Record<string, unknown>, k, path);
    return copy;
  } catch {
    // Dropped.
  } finally {
    path.length = depth;
  }
}
