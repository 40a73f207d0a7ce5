/** A short, safe description of any value for warnings: never throws, never prints huge strings. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const t = typeof value;
  if (t === 'string') return `a string of ${(value as string).length} characters`;
  if (t === 'number' || t === 'boolean' || t === 'undefined' || t === 'bigint') return String(value);
  return `a ${t}`;
}

/** The message of a thrown value, whatever was thrown (even objects with no prototype). */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return typeof error === 'string' ? error : describe(error);
}
