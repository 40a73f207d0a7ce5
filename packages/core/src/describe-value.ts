/** A short, safe description of any value for warnings: never throws, never prints huge strings. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  const t = typeof value;
  if (t === 'string') return `a string of ${(value as string).length} characters`;
  if (t === 'number' || t === 'boolean' || t === 'undefined') return String(value);
  // Written as in code ("10" alone reads as the number a check asked for); a long one by its type.
  if (t === 'bigint') return String(value).length > 24 ? 'a long bigint' : `${value}n`;
  try {
    // Throws for a revoked Proxy (typeof still says "object" or "function").
    if (Array.isArray(value)) return 'an array';
  } catch {
    return 'a revoked Proxy';
  }
  return t === 'object' ? 'an object' : `a ${t}`;
}

/** The message of a thrown value, whatever was thrown (even objects with no prototype, or revoked Proxies). */
export function errorMessage(error: unknown): string {
  try {
    // AsyncStorage's multiRemove rejects with an array of errors: the first says what went wrong.
    if (Array.isArray(error) && error[0] instanceof Error) error = error[0];
    if (error instanceof Error) return `${error.name}: ${error.message}`;
  } catch {
    // A Proxy whose getPrototypeOf trap (or name/message getter) throws: described below.
  }
  return typeof error === 'string' ? error : describe(error);
}
