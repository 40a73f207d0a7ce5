import type { StorageWrite } from './storage-adapter';

/**
 * The writes of a commit as text, shared by the Node journal and the segment log:
 * `+<key> <length>\n<value>` sets, `-<key>\n` removes. A key with a space, a newline or a `%` is
 * percent-encoded (others are kept as they are, so `kit:braze:outbox:7` costs its own length).
 */
export const encodeWrite = (key: string, value: string | null): string => {
  const k = /[\s%]/.test(key) ? encodeURIComponent(key) : key;
  return value === null ? `-${k}\n` : `+${k} ${value.length}\n${value}`;
};

/** The writes in `text` from `start` to `end`, or null when they are torn or corrupt. */
export function decodeWrites(text: string, start = 0, end = text.length): StorageWrite[] | null {
  const writes: StorageWrite[] = [];
  for (let i = start; i < end; ) {
    const eol = text.indexOf('\n', i);
    if (eol < 0 || eol >= end) return null;
    const sign = text[i];
    if (sign === '-') {
      writes.push([decodeURIComponent(text.slice(i + 1, eol)), null]);
      i = eol + 1;
    } else if (sign === '+') {
      const space = text.lastIndexOf(' ', eol);
      const n = Number(text.slice(space + 1, eol));
      if (!(space > i && Number.isSafeInteger(n) && eol + 1 + n <= end)) return null;
      writes.push([decodeURIComponent(text.slice(i + 1, space)), text.slice(eol + 1, eol + 1 + n)]);
      i = eol + 1 + n;
    } else return null;
  }
  return writes;
}
