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
 * kit's namespace). With `keep: false` it keeps each value in a Buffer, outside the JS heap as
 * localStorage and AsyncStorage keep theirs, yet readable back: the segment log reads a segment's
 * live values when it overwrites it, so a storage that forgot them would lose queued items.
 */
export function countingStorage(groupOf: (key: string) => string, keep: boolean): StorageAdapter & { readonly writes: ReadonlyMap<string, StorageWrites> } {
  const inner = memoryStorage();
  const outside = new Map<string, Buffer>();
  const writes = new Map<string, StorageWrites>();
  const group = (key: string): StorageWrites => {
    const name = groupOf(key);
    let w = writes.get(name);
    if (!w) writes.set(name, (w = { sets: 0, removes: 0, bytes: 0 }));
    return w;
  };
  return {
    writes,
    getItem: (key) => (keep ? inner.getItem(key) : (outside.get(key)?.toString() ?? null)),
    setItem(key, value) {
      const w = group(key);
      w.sets += 1;
      w.bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
      if (keep) inner.setItem(key, value);
      else outside.set(key, Buffer.from(value));
    },
    removeItem(key) {
      group(key).removes += 1;
      if (keep) inner.removeItem(key);
      else outside.delete(key);
    },
  };
}

/** `sessionhub:state` → `hub state`; `sessionhub:kit:braze:outbox:12` → `braze`. */
export const hubStorageGroup = (key: string): string => {
  const kit = /^[\w.-]+:kit:([\w.-]+):/.exec(key);
  return kit ? kit[1]! : 'hub state';
};
