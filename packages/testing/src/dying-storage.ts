import type { StorageAdapter } from '@sessionhub/core';

/**
 * A storage that can "die" like a force-quit process: after `kill()` every write is dropped (what
 * was written before stays), so a second hub on `survivor()` sees exactly what had been persisted.
 * `fail()` makes every call throw instead (a full quota, Safari private mode).
 */
export interface DyingStorage extends StorageAdapter {
  /** Drops all later writes, as if the process died now. */
  kill(): void;
  /** Every later call throws (storage unavailable). */
  fail(error?: Error): void;
  /** Calls work again after `fail()` (the disk or quota was freed). */
  recover(): void;
  /** A fresh storage holding what was persisted before `kill()`: the next launch's view. */
  survivor(): DyingStorage;
  /** The persisted key/value pairs. */
  snapshot(): Map<string, string>;
  readonly dead: boolean;
  /** Writes performed (not dropped). */
  readonly writes: number;
}

/** A storage that can die like a force-quit process (every write after the death is lost), counting its writes; `async` answers with promises, as AsyncStorage. */
export function dyingStorage(initial?: Iterable<readonly [string, string]>, options: { async?: boolean } = {}): DyingStorage {
  const map = new Map<string, string>(initial);
  let dead = false;
  let failure: Error | null = null;
  let writes = 0;
  const answer = <T>(value: T): T | Promise<T> => (options.async ? Promise.resolve(value) : value);
  const guard = (): void => {
    if (failure) throw failure;
  };
  const storage: DyingStorage = {
    getItem(key) {
      guard();
      return answer(map.get(key) ?? null);
    },
    setItem(key, value) {
      guard();
      if (!dead) {
        map.set(key, value);
        writes += 1;
      }
      return answer(undefined);
    },
    removeItem(key) {
      guard();
      if (!dead) map.delete(key);
      return answer(undefined);
    },
    kill: () => void (dead = true),
    fail: (error = new Error('QuotaExceededError: storage is full')) => void (failure = error),
    recover: () => void (failure = null),
    survivor: () => dyingStorage(map, options),
    snapshot: () => new Map(map),
    get dead() {
      return dead;
    },
    get writes() {
      return writes;
    },
  };
  return storage;
}
