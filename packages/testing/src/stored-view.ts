/**
 * What a storage holds as the hub and its kits see it: key → value, with the segment keys that core
 * writes to a key-by-key storage (`<group>seg:<i>`, see docs/delivery.md) read into the keys they
 * hold, and the spills their records list (`<group>spills`: `<group>spill:<seq>`, read before the
 * segments, all newer; a spill no record lists is not read). Other keys (the opt-out, the browser's
 * shared record, the per-key layout of earlier versions) are as stored. An independent reader of the
 * documented format, for tests.
 */
export function storedView(entries: Iterable<readonly [string, string]>): Map<string, string> {
  const all = new Map(entries);
  const plain = new Map<string, string>();
  const segments: Array<Parsed> = [];
  const spills = new Map<string, Parsed>();
  for (const [key, text] of all) {
    const segment = /^(.*:)seg:\d+$/.exec(key)?.[1];
    const spill = /^(.*:)spill:\d+$/.exec(key)?.[1];
    if (segment !== undefined) segments.push(parse(key, segment, text));
    else if (spill !== undefined) spills.set(key, parse(key, spill, text));
    else plain.set(key, text);
  }
  // The segments alone say which spills are listed; then everything, in commit order.
  const listed = replay(plain, segments);
  const read: Parsed[] = [];
  for (const [key, value] of listed) {
    const group = /^(.*:)spills$/.exec(key)?.[1];
    if (group === undefined || segments.every((r) => r.group !== group)) continue;
    for (const seq of value.split(',')) {
      const spill = spills.get(`${group}spill:${seq}`);
      if (spill) read.push(spill);
    }
  }
  const view = replay(plain, [...read, ...segments]);
  for (const { group } of segments) view.delete(group + 'spills');
  return view;
}

interface Parsed {
  readonly seq: number;
  readonly group: string;
  /** A set (`+`), a patch of the value before (`~`) or a removal (null). */
  readonly writes: Array<[string, string | null, boolean?]>;
}

function parse(key: string, group: string, text: string): Parsed {
  const nl = text.indexOf('\n');
  const writes: Array<[string, string | null, boolean?]> = [];
  for (let i = nl + 1; i < text.length; ) {
    const eol = text.indexOf('\n', i);
    if (eol < 0) throw new Error(`storedView: segment ${key} is torn`);
    if (text[i] === '-') {
      writes.push([group + decodeURIComponent(text.slice(i + 1, eol)), null]);
      i = eol + 1;
    } else {
      const space = text.lastIndexOf(' ', eol);
      const n = Number(text.slice(space + 1, eol));
      writes.push([group + decodeURIComponent(text.slice(i + 1, space)), text.slice(eol + 1, eol + 1 + n), text[i] === '~']);
      i = eol + 1 + n;
    }
  }
  return { seq: Number(text.slice(0, nl)), group, writes };
}

function replay(plain: ReadonlyMap<string, string>, records: readonly Parsed[]): Map<string, string> {
  const view = new Map<string, string>();
  // Keys of the earlier per-key layout first: a segment's write of the same key is newer.
  for (const [k, v] of plain) view.set(k, v);
  // Patches whose chain starts in a segment since overwritten: the segment that overwrote it wrote the
  // value whole again, later. Such a key is unknown until then, and an error only if it stays so.
  const unknown = new Set<string>();
  for (const { writes } of [...records].sort((a, b) => a.seq - b.seq)) {
    for (const [k, v, patch] of writes) {
      if (v === null || !patch) unknown.delete(k), v === null ? view.delete(k) : view.set(k, v);
      else if (unknown.has(k) || !view.has(k)) unknown.add(k), view.delete(k);
      else view.set(k, patched(k, view.get(k)!, v));
    }
  }
  for (const k of unknown) throw new Error(`storedView: ${k} is a patch of nothing`);
  return view;
}

/**
 * A value stored as a patch of the one before: comma-separated changes `<field>.<kept>.<rest>`
 * (base 36), each replacing field `<field>` of the comma-split old value by its first `<kept>`
 * characters and `<rest>`.
 */
function patched(key: string, old: string, patch: string): string {
  const fields = old.split(',');
  for (const change of patch === '' ? [] : patch.split(',')) {
    const first = change.indexOf('.');
    const second = change.indexOf('.', first + 1);
    const field = parseInt(change.slice(0, first), 36);
    const kept = parseInt(change.slice(first + 1, second), 36);
    if (!(field < fields.length && kept <= fields[field]!.length)) throw new Error(`storedView: ${key}: patch ${patch} does not fit ${old}`);
    fields[field] = fields[field]!.slice(0, kept) + change.slice(second + 1);
  }
  return fields.join(',');
}
