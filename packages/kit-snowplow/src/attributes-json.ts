/**
 * Event attributes as JSON text. Attributes come from the host app and may hold what JSON cannot
 * (a BigInt, a cycle): rather than throw or lose the event, BigInts are written as their decimal
 * text and an object inside itself as "[Circular]", and `onLossy` is called so the caller can warn.
 * An object met again elsewhere (not inside itself) is written in full each time, as JSON writes it.
 */
export function attributesJson(attributes: Readonly<Record<string, unknown>>, onLossy: () => void): string {
  try {
    return JSON.stringify(attributes) ?? '{}';
  } catch {
    onLossy();
    // The objects being written, outermost first. `this` is the object whose member `v` is: the
    // ones after it are written already.
    const open: unknown[] = [];
    try {
      return JSON.stringify(attributes, function (this: unknown, _, v: unknown) {
        open.length = open.indexOf(this) + 1;
        return typeof v == 'bigint' ? '' + v : v && typeof v == 'object' ? (open.includes(v) ? '[Circular]' : (open.push(v), v)) : v;
      });
    } catch {
      // A toJSON that throws: nothing of the attributes can be trusted.
      return '{}';
    }
  }
}
