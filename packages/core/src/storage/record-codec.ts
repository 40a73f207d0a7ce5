/** A decoded write; `patched` when it was stored as a patch of the key's value before it (a removal has none). */
export type DecodedWrite = [key: string, value: string | null, patched?: boolean];

/**
 * `value` as a patch of `old` (the hub's state after one more event, an outbox's index): the
 * comma-separated fields that changed, each `<index>.<characters kept>.<the rest>` (numbers in base
 * 36), joined by commas. Undefined when the fields do not line up or the patch saves too little.
 * Found by comparing both texts field by field (a write may carry it, known by its writer: `StorageWrite`).
 */
export function patchOf(old: string, value: string): string | undefined {
  // Field by field without splitting either text (no arrays of ~40 strings per commit).
  let out = '';
  for (let i = 0, p = 0, q = 0; ; i++) {
    let pe = old.indexOf(',', p);
    let qe = value.indexOf(',', q);
    if (pe < 0) pe = old.length;
    if (qe < 0) qe = value.length;
    const n = qe - q;
    if (pe - p != n || old.substring(p, pe) != value.substring(q, qe)) {
      let kept = 0;
      while (kept < n && old[p + kept] == value[q + kept]) kept++;
      out += (out ? ',' : '') + i.toString(36) + '.' + kept.toString(36) + '.' + value.slice(q + kept, qe);
      if (out.length * 2 >= value.length) return;
    }
    if (pe == old.length || qe == value.length) return pe == old.length && qe == value.length && out.length * 2 < value.length ? out : undefined;
    p = pe + 1;
    q = qe + 1;
  }
}

/** `old` with `patch` ({@link patchOf}) applied, or undefined when the patch does not fit it. */
export function applyPatch(old: string, patch: string): string | undefined {
  const fields = old.split(',');
  for (const change of patch ? patch.split(',') : []) {
    const [i, kept] = change.split('.', 2).map((n) => parseInt(n, 36));
    const x = fields[i!];
    if (x === undefined || !(kept! <= x.length)) return;
    fields[i!] = x.slice(0, kept) + change.slice(change.indexOf('.', change.indexOf('.') + 1) + 1);
  }
  return fields.join(',');
}

/**
 * The writes of a commit as text, shared by the Node journal and the segment log:
 * `+<key> <length>\n<value>` sets, `~<key> <length>\n<patch>` sets a value given as a patch of the
 * key's value before it (`patch`, see {@link patchOf}), `-<key>\n` removes. A key
 * with a space, a newline or a `%` is percent-encoded (others are kept as they are, so
 * `kit:braze:outbox:7` costs its own length).
 */
const SPACE_OR_PERCENT = /[\s%]/;
export const encodeWrite = (key: string, value: string | null, patch?: string): string => {
  const k = SPACE_OR_PERCENT.test(key) ? encodeURIComponent(key) : key;
  if (value === null) return `-${k}\n`;
  return patch === undefined ? `+${k} ${value.length}\n${value}` : `~${k} ${patch.length}\n${patch}`;
};

/**
 * Calls `each` for every write in `text` from `start` to `end`, in order: its sign (`+`, `~`, `-`),
 * its key, where its line starts, where the write after it starts, and where its value starts.
 * False when they are torn or corrupt (the writes before were seen).
 */
export function scanWrites(
  text: string,
  start: number,
  end: number,
  each: (sign: string, key: string, at: number, next: number, value: number) => void,
): boolean {
  for (let i = start; i < end; ) {
    const eol = text.indexOf('\n', i);
    if (eol < 0 || eol >= end) return false;
    const sign = text[i]!;
    let space = eol;
    let next = eol + 1;
    if (sign != '-') {
      if (sign != '+' && sign != '~') return false;
      space = text.lastIndexOf(' ', eol);
      const n = Number(text.slice(space + 1, eol));
      if (!(space > i && Number.isSafeInteger(n) && next + n <= end)) return false;
      next += n;
    }
    each(sign, decodeURIComponent(text.slice(i + 1, space)), i, next, eol + 1);
    i = next;
  }
  return true;
}

/**
 * The writes in `text` from `start` to `end`, or null when they are torn or corrupt, their keys after
 * `prefix` (the segment log's group). A patch applies to `before(key)`, the key's value as the records
 * before this one left it (a commit writes a key once); one that has nothing to apply to (a record
 * read alone) is left out.
 */
export function decodeWrites(text: string, start: number, end: number, before?: (key: string) => string | null | undefined, prefix = ''): DecodedWrite[] | null {
  const writes: DecodedWrite[] = [];
  const whole = scanWrites(text, start, end, (sign, k, _, next, at) => {
    const key = prefix + k;
    if (sign == '-') return writes.push([key, null]);
    let value: string | null | undefined = text.slice(at, next);
    if (sign == '~') {
      const old = before?.(key);
      value = old == null ? undefined : applyPatch(old, value);
    }
    if (value !== undefined) writes.push([key, value, sign == '~']);
  });
  return whole ? writes : null;
}
