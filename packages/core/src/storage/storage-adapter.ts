/**
 * One write of a commit: a value to store under `key`, or null to remove the key. With `from`, its
 * writer knew `patch`: the fields of `from` to change to make `value` (the hub's state after one
 * more event; undefined: none short enough). An adapter may ignore both; SessionHub's own write
 * `value` as that patch when what they hold under `key` is `from`.
 */
export type StorageWrite = readonly [key: string, value: string | null, from?: string, patch?: string];

/**
 * Where SessionHub keeps its state and the kits' outboxes. Compatible with the Web Storage API
 * (`localStorage`) and React Native's AsyncStorage: each method may answer synchronously or with a Promise.
 *
 * The hub writes everything one burst of calls produced as one ordered commit (the kits' outbox
 * records first, its own state last). An adapter with `commit` takes it in one call (the Node
 * journal appends it: all of it or, after a kill, none of it). Into any other, the hub writes each
 * commit as one record with one `setItem`, in a few segment keys (see docs/delivery.md).
 */
export interface StorageAdapter {
  /**
   * The value stored under `key`, or null/undefined when there is none. Without `commit`, a promise
   * that has not settled after 10 s counts as a failed read (as `multiGet`'s): the hub asks again,
   * then goes on without it. So does any call's: an unanswered `setItem` fails its commit, which is
   * written again later; such a storage must therefore apply its calls in call order (AsyncStorage's
   * modules do). A storage with `commit` orders and bounds its own calls.
   */
  getItem(key: string): string | null | undefined | Promise<string | null | undefined>;
  /** Stores `value` under `key`; may throw or reject when storage is full. */
  setItem(key: string, value: string): void | Promise<void>;
  /** Removes `key`, if present. */
  removeItem(key: string): void | Promise<void>;
  /**
   * Optional (AsyncStorage has it): the values of `keys`, as `[key, value]` pairs (matched by key, in
   * any order). The hub reads several keys at once with it (at launch: the 16 segment keys) in one
   * call, where `getItem` would be one call (one query of the native store) per key. (AsyncStorage
   * v3's instances name it `getMany`: see docs/react-native.md.)
   */
  multiGet?(keys: readonly string[]): ReadonlyArray<readonly [string, string | null | undefined]> | Promise<ReadonlyArray<readonly [string, string | null | undefined]>>;
  /** Optional (AsyncStorage has it): removes `keys`, in one call where `removeItem` would be one per key. */
  multiRemove?(keys: readonly string[]): void | Promise<void>;
  /**
   * Optional: the storage keeps values of up to this many characters (UTF-16 units) together in one
   * file it rewrites whole whenever one of them changes, and longer ones in files of their own. iOS's
   * AsyncStorage does, with 1024: give `inlineLimit: 1024` there (docs/react-native.md). The hub then
   * writes each of its records longer than that (padding a short one with spaces), so that every
   * commit writes one file of its own and never rewrites that shared file, which also holds the
   * app's own small values. A whole number ≥ 0; 0 or absent: records as they come.
   */
  readonly inlineLimit?: number;
  /**
   * Optional: stores the writes in order, as one unit. Throws (or rejects) when they could not be
   * stored. The next commit may come before a returned promise settles: apply commits in call order.
   */
  commit?(writes: readonly StorageWrite[]): void | Promise<void>;
  /**
   * Optional, with `commit`: rewrites what is stored so that nothing removed lingers in it (the
   * user's data was deleted). Throws (or rejects) when it could not.
   */
  compact?(): void | Promise<void>;
  /**
   * Optional: a problem the adapter met when it opened (a read-only directory, say) and worked around
   * by keeping data in memory; the hub reports it once, in a warning.
   */
  readonly notice?: string | undefined;
  /**
   * Optional, for a synchronous storage with a quota (localStorage): the hub hands it `makeRoom`.
   * When a write does not fit, the adapter calls `makeRoom(chars)` (about how many characters more
   * it needs) and writes again, for as long as that returns true. Each call drops the oldest queued
   * items no kit marked to keep (never a session's start or end, nor the hub's state), warns once
   * with how many, and frees their space at once; false: nothing stored is left to drop. An
   * asynchronous storage (AsyncStorage) needs none: a commit it rejects with an error whose message
   * says it is full (the word `full`, `quota`, or `no space`: Android's SQLITE_FULL; or iOS's NSError codes for a
   * full disk, `NSCocoaErrorDomain Code=640` or `NSPOSIXErrorDomain Code=28`) gets room made the same way,
   * and is written again.
   */
  whenFull?(makeRoom: (chars: number) => boolean): void;
}

export function isStorageAdapter(value: unknown): value is StorageAdapter {
  return typeof value == 'object' && !!value && ['getItem', 'setItem', 'removeItem'].every((m) => typeof (value as Record<string, unknown>)[m] == 'function');
}

/**
 * Whether a storage's `inlineLimit` is absent or a whole number from 0 to 65,536: records are padded
 * to it, and one of 2^30 could not be made (every commit failed with a RangeError).
 */
export const isInlineLimit = (limit: unknown): boolean => limit === undefined || (Number.isSafeInteger(limit) && (limit as number) >= 0 && (limit as number) <= 65_536);

/** A storage in memory: nothing survives the process. The default outside browsers. */
export function memoryStorage(initial?: Iterable<readonly [string, string]>): StorageAdapter & { readonly size: number } {
  const map = new Map<string, string>(initial);
  return {
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
    removeItem: (key) => void map.delete(key),
    get size() {
      return map.size;
    },
  };
}
