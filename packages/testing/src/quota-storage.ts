/**
 * A Web Storage (the part of `localStorage` SessionHub uses) with a quota, as browsers have one: a
 * write that would take the characters stored (keys and values, as Chromium counts them) past
 * `budget` throws a `DOMException` named `QuotaExceededError`, and stores nothing. A write that
 * makes a value shorter always fits. `die()` makes it drop every later write, like a page killed
 * at that instant; `survivor()` is what the next page load finds.
 */
export interface QuotaStorage {
  /** As `Storage.getItem`. */
  getItem(key: string): string | null;
  /** As `Storage.setItem`: throws a `QuotaExceededError` when the value does not fit the budget. */
  setItem(key: string, value: string): void;
  /** As `Storage.removeItem`. */
  removeItem(key: string): void;
  /** As `Storage.key`. */
  key(index: number): string | null;
  /** As `Storage.length`. */
  readonly length: number;
  /** Characters allowed in all; may be changed. */
  budget: number;
  /** Characters stored now. */
  readonly used: number;
  /** Writes refused for the quota so far. */
  readonly refused: number;
  /** Writes stored so far. */
  readonly writes: number;
  /** Every write and removal after the next `after` writes (default 0) is dropped: the page died there. */
  die(after?: number): void;
  /** A storage holding what was stored before `die()`, with the same budget: the next page load's. */
  survivor(): QuotaStorage;
  /** The stored pairs. */
  snapshot(): Map<string, string>;
}

/** A localStorage-like storage that refuses writes past `budget` characters (see {@link QuotaStorage}). */
export function quotaStorage(budget: number, initial?: Iterable<readonly [string, string]>): QuotaStorage {
  const map = new Map<string, string>(initial);
  let used = 0;
  for (const [k, v] of map) used += k.length + v.length;
  let refused = 0;
  let writes = 0;
  /** Writes stored before the page dies. */
  let left = Infinity;
  const storage: QuotaStorage = {
    budget,
    getItem: (key) => map.get(key) ?? null,
    setItem(key, value) {
      if (left <= 0) return;
      const old = map.get(key);
      const next = used + value.length - (old === undefined ? -key.length : old.length);
      if (next > used && next > storage.budget) {
        refused++;
        throw new DOMException(`Failed to execute 'setItem' on 'Storage': Setting the value of '${key}' exceeded the quota.`, 'QuotaExceededError');
      }
      map.set(key, value);
      used = next;
      writes++;
      left--;
    },
    removeItem(key) {
      const old = map.get(key);
      if (left <= 0 || old === undefined) return;
      map.delete(key);
      used -= key.length + old.length;
    },
    key: (index) => [...map.keys()][index] ?? null,
    get length() {
      return map.size;
    },
    get used() {
      return used;
    },
    get refused() {
      return refused;
    },
    get writes() {
      return writes;
    },
    die: (after = 0) => void (left = after),
    survivor: () => quotaStorage(storage.budget, map),
    snapshot: () => new Map(map),
  };
  return storage;
}
