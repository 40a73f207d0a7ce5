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
  /** How many times each key was read (`getItem`). */
  readonly reads: ReadonlyMap<string, number>;
  /** The round trip (1 for the first since the counts were zeroed) that answered the first read of `key`. */
  readIn(key: string): number | undefined;
  /** The stored key/value pairs. */
  snapshot(): Map<string, string>;
  /** Zeroes the counts (the store keeps its values). */
  resetCounts(): void;
}

/** An AsyncStorage-like store (see {@link RoundTripStorage}) holding `initial`. */
export function roundTripStorage(initial?: Iterable<readonly [string, string]>): RoundTripStorage {
  const map = new Map<string, string>(initial);
  const reads = new Map<string, number>();
  const firstRead = new Map<string, number>();
  let batch: Array<() => void> = [];
  let roundTrips = 0;
  const call = <T>(run: () => T): Promise<T> =>
    new Promise<T>((resolve) => {
      if (batch.length === 0) {
        setTimeout(() => {
          const answers = batch;
          batch = [];
          roundTrips += 1;
          for (const answer of answers) answer();
        }, 0);
      }
      batch.push(() => resolve(run()));
    });
  return {
    getItem: (key) =>
      call(() => {
        reads.set(key, (reads.get(key) ?? 0) + 1);
        if (!firstRead.has(key)) firstRead.set(key, roundTrips);
        return map.get(key) ?? null;
      }),
    setItem: (key, value) => call(() => void map.set(key, value)),
    removeItem: (key) => call(() => void map.delete(key)),
    get roundTrips() {
      return roundTrips;
    },
    reads,
    readIn: (key) => firstRead.get(key),
    snapshot: () => new Map(map),
    resetCounts() {
      roundTrips = 0;
      reads.clear();
      firstRead.clear();
    },
  };
}
