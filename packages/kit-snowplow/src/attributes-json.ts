/**
 * Event attributes as JSON text. Attributes come from the host app and may hold what JSON cannot
 * (a BigInt, a cycle): rather than throw or lose the event, such values are written as strings and
 * the caller is told, so it can warn once.
 */
export function attributesJson(attributes: Readonly<Record<string, unknown>>, onLossy: (error: unknown) => void): string {
  try {
    return JSON.stringify(attributes) ?? '{}';
  } catch (error) {
    onLossy(error);
    return lossyJson(attributes);
  }
}

function lossyJson(attributes: Readonly<Record<string, unknown>>): string {
  const seen = new WeakSet<object>();
  try {
    return (
      JSON.stringify(attributes, function (this: unknown, _key, value: unknown) {
        if (typeof value === 'bigint') return value.toString();
        if (typeof value === 'object' && value !== null) {
          if (seen.has(value)) return '[Circular]';
          seen.add(value);
        }
        return value;
      }) ?? '{}'
    );
  } catch {
    // A toJSON that throws: nothing of the attributes can be trusted.
    return '{}';
  }
}
