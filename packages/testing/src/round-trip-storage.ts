import type { StorageAdapter } from '@sessionhub/core';

/**
 * An AsyncStorage-like store that counts round trips: every call answers with a promise, and all
 * the calls made since the last answer are answered together, one macrotask later (as a native
 * module answers a batch of calls sent over the bridge). Calls made one after another's answer take
 * one round trip each; calls made together share one. Counts, not times: the figures do not depend
 * on the machine.
 */
export interface RoundTripStorage extends StorageAdapter {
  /** Round trips so far: answers that carried at least one call. */
  readonly roundTrips: number;
  /**
   * Calls of the store's native module so far, as AsyncStorage makes them: one per `getItem`,
   * `setItem`, `removeItem` or `multiRemove`, and one for the `multiGet`s of a round trip. Its
   * module runs them one after another (Android: a serial executor, one SQLite query or
   * transaction each).
   */
  readonly calls: number;
  /** How many times each key was read (`getItem`, or one of the keys of a `multiGet`). */
  readonly reads: ReadonlyMap<string, number>;
  /** The round trip (1 for the first since the counts were zeroed) that answered the first read of `key`. */
  readIn(key: string): number | undefined;
  /** The stored key/value pairs. */
  snapshot(): Map<string, string>;
  /** Zeroes the counts (the store keeps its values). */
  resetCounts(): void;
}

/** What the store offers beyond `getItem`, `setItem` and `removeItem`. */
export interface RoundTripStorageOptions {
  /**
   * Offer AsyncStorage's `multiGet` and `multiRemove`, answering as it does: `multiGet` with
   * `[key, value]` pairs in the order of the keys (null for a key not stored), and the `multiGet`s
   * of one round trip as one call (AsyncStorage merges those made in one tick into one call of its
   * native module). Default false: the store has the three Web Storage methods only.
   */
  readonly multi?: boolean;
}

/** An AsyncStorage-like store (see {@link RoundTripStorage}) holding `initial`. */
export function roundTripStorage(initial?: Iterable<readonly [string, string]>, options: RoundTripStorageOptions = {}): RoundTripStorage {
  const map = new Map<string, string>(initial);
  const reads = new Map<string, number>();
  const firstRead = new Map<string, number>();
  let batch: Array<() => void> = [];
  let roundTrips = 0;
  let calls = 0;
  /** A `multiGet` is in the batch under way: the next ones join its call (AsyncStorage merges those of one tick). */
  let getting = false;
  const call = <T>(run: () => T, joins = false): Promise<T> =>
    new Promise<T>((resolve) => {
      if (!joins) calls += 1;
      if (batch.length === 0) {
        setTimeout(() => {
          const answers = batch;
          batch = [];
          getting = false;
          roundTrips += 1;
          for (const answer of answers) answer();
        }, 0);
      }
      batch.push(() => resolve(run()));
    });
  const read = (key: string): string | null => {
    reads.set(key, (reads.get(key) ?? 0) + 1);
    if (!firstRead.has(key)) firstRead.set(key, roundTrips);
    return map.get(key) ?? null;
  };
  const store: RoundTripStorage = {
    getItem: (key) => call(() => read(key)),
    setItem: (key, value) => call(() => void map.set(key, value)),
    removeItem: (key) => call(() => void map.delete(key)),
    get roundTrips() {
      return roundTrips;
    },
    get calls() {
      return calls;
    },
    reads,
    readIn: (key) => firstRead.get(key),
    snapshot: () => new Map(map),
    resetCounts() {
      roundTrips = 0;
      calls = 0;
      reads.clear();
      firstRead.clear();
    },
  };
  if (options.multi) {
    store.multiGet = (keys) => {
      const joins = getting;
      getting = true;
      return call(() => keys.map((key) => [key, read(key)] as const), joins);
    };
    store.multiRemove = (keys) => call(() => void keys.forEach((key) => map.delete(key)));
  }
  return store;
}
