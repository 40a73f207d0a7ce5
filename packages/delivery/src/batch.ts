/** What batching needs to know of a queued item. */
export interface Sized {
  /**
   * Bytes the item adds to a request; while negative, minus an upper bound of them, measured (by
   * `measure`, and kept) only when a batch could pass its byte limit.
   */
  size: number;
  /** True while the item is in a request; a batch stops before it. */
  readonly flying: boolean;
  /** Items with different keys never share a request (see `batchKey`). */
  readonly key?: unknown;
}

/**
 * How many items from `start` go into one request: consecutive items not already in flight, at most
 * `maxItems`, at most `maxBytes` in total, all with the key of the first — except that the first item always goes (an oversized item
 * is sent alone rather than blocking the queue). 0 when `start` is past the end or in flight. The
 * same count as with every size measured: an upper bound only ever passes the limit first. (Items
 * at an upper bound need `measure`.)
 */
export function batchLength<S extends Sized>(items: readonly S[], start: number, maxItems: number, maxBytes: number, measure?: (item: S) => number): number {
  let bytes = 0;
  let n = 0;
  for (let i = start; i < items.length && n < maxItems && !items[i]!.flying && items[i]!.key === items[start]!.key; i++, n++) {
    bytes += Math.abs(items[i]!.size);
    if (n > 0 && bytes > maxBytes) {
      // Past it by an upper bound, maybe: the exact sizes decide.
      bytes = 0;
      for (let j = start; j <= i; j++) bytes += items[j]!.size < 0 ? (items[j]!.size = measure!(items[j]!)) : items[j]!.size;
      if (bytes > maxBytes) break;
    }
  }
  return n;
}
