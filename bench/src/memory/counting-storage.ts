import { memoryStorage, type StorageAdapter } from '@sessionhub/core';

/** Writes seen by a {@link countingStorage}, per key prefix group. */
export interface StorageWrites {
  /** setItem calls. */
  sets: number;
  /** removeItem calls. */
  removes: number;
  /** UTF-8 bytes of keys and values written by setItem. */
  bytes: number;
}

/**
 * A storage adapter that counts what is written, grouped by `groupOf(key)` (the hub's state, each
 * kit's namespace). With `keep: false` it stores nothing, like a storage outside the JS heap
 * (localStorage, AsyncStorage) as far as heap figures go.
 */
export function countingStorage(groupOf: (key: string) => string, keep: boolean): StorageAdapter & { readonly writes: ReadonlyMap<string, StorageWrites> } {
  const inner = memoryStorage();
  const writes = new Map<string, StorageWrites>();
  const group = (key: string): StorageWrites => {
    const name = groupOf(key);
    let w = writes.get(name);
    if (!w) writes.set(name, (w = { sets: 0, removes: 0, bytes: 0 }));
    return w;
  };
  return {
    writes,
    getItem: (key) => (keep ? inner.getItem(key) : null),
    setItem(key, value) {
      const w = group(key);
      w.sets += 1;
      w.bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
      if (keep) inner.setItem(key, value);
    },
    removeItem(key) {
      group(key).removes += 1;
      if (keep) inner.removeItem(key);
    },
  };
}

/** `sessionhub:state` → `hub state`; `sessionhub:kit:braze:outbox:12` → `braze`. */
export const hubStorageGroup = (key: string): string => {
  const kit = /^[\w.-]+:kit:([\w.-]+):/.exec(key);
  return kit ? kit[1]! : 'hub state';
};
