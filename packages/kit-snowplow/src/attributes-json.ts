/**
 * Event attributes as JSON text. Attributes come from the host app and may hold what JSON cannot
 * (a BigInt, a cycle): rather than throw or lose the event, BigInts are written as their decimal
 * text and an object inside itself as "[Circular]", and `onLossy` is called so the caller can warn.
 * An object met again elsewhere (not inside itself) is written in full each time, as JSON writes it.
 *
 * Enrich fails an event whose self-describing JSON nests a value 40 levels deep (reference.conf
 * `maxJsonDepth: 40`; JsonUtils.extractJson counts the wrapper as level 0): an object or array at
 * `depth` (the attributes' own members are at 1) that has members is written as its JSON text
 * instead, and `onLossy` is called too (once in all).
 */
export function attributesJson(attributes: unknown, onLossy: () => void, depth = 1 / 0): string {
  let told = 0;
  const lossy = () => told++ || onLossy();
  try {
    const json = JSON.stringify(attributes) ?? '{}';
    if (!nests(json, depth)) return json;
  } catch {
    lossy();
  }
  return write(attributes, depth, [], lossy);
}

/** Whether JSON text may hold members at `depth`: it has more brackets than that (in strings too). */
export const nests = (json: string, depth: number): boolean => (json.match(/[[{]/g)?.length ?? 0) > depth;

/**
 * `value` as JSON, BigInts as text, an object inside itself (`open`: the objects being written,
 * outermost first) as "[Circular]", and the objects and arrays with members at `depth` (`value`
 * is at 0) as their text, telling `lossy`.
 */
function write(value: unknown, depth: number, open: unknown[], lossy: () => void): string {
  const base = open.length;
  try {
    return JSON.stringify(value, function (this: unknown, _, v: unknown) {
      // `this` is the object whose member `v` is: the ones after it are written already (the
      // wrapper JSON starts with is none of them).
      const i = open.indexOf(this);
      open.length = i < 0 ? base : i + 1;
      if (typeof v == 'bigint') return '' + v;
      if (v && typeof v == 'object') {
        if (open.includes(v)) return '[Circular]';
        if (open.length - base >= depth) {
          const text = write(v, 1 / 0, open, lossy);
          // ('{}' and '[]' nest nothing.)
          if (text.length > 2) return lossy(), text;
        }
        open.push(v);
      }
      return v;
    });
  } catch {
    // A toJSON that throws: nothing of the attributes can be trusted.
    return '{}';
  }
}
