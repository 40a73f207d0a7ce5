/**
 * Event attributes as JSON text. Attributes come from the host app and may hold what JSON cannot
 * (a BigInt, a cycle): rather than throw or lose the event, BigInts are written as their decimal
 * text and a repeated object as "[Circular]", and `onLossy` is called so the caller can warn.
 */
export function attributesJson(attributes: Readonly<Record<string, unknown>>, onLossy: () => void): string {
  try {
    return JSON.stringify(attributes) ?? '{}';
  } catch {
    onLossy();
    const seen = new WeakSet<object>();
    try {
      return JSON.stringify(attributes, (_, v: unknown) =>
        typeof v == 'bigint' ? '' + v : v && typeof v == 'object' ? (seen.has(v) ? '[Circular]' : (seen.add(v), v)) : v,
      );
    } catch {
      // A toJSON that throws: nothing of the attributes can be trusted.
      return '{}';
    }
  }
}
