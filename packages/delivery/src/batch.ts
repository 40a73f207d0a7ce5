/** What batching needs to know of a queued item. */
export interface Sized {
  /** Bytes the item adds to a request. */
  readonly size: number;
  /** True while the item is in a request; a batch stops before it. */
  readonly flying: boolean;
  /** Items with different keys never share a request (see `batchKey`). */
  readonly key?: unknown;
}

/**
 * How many items from `start` go into one request: consecutive items not already in flight, at most
 * `maxItems`, at most `maxBytes` in total, all with the key of the first — except that the first item always goes (an oversized item
 * is sent alone rather than blocking the queue). 0 when `start` is past the end or in flight.
 */
export function batchLength(items: readonly Sized[], start: number, maxItems: number, maxBytes: number): number {
  let bytes = 0;
  let n = 0;
  for (let i = start; i < items.length && n < maxItems && !items[i]!.flying && items[i]!.key === items[start]!.key; i++, n++) {
    bytes += items[i]!.size;
    if (n > 0 && bytes > maxBytes) break;
  }
  return n;
}
