/**
 * Where SessionHub keeps its state and the kits' outboxes. Compatible with the Web Storage API
 * (`localStorage`) and React Native's AsyncStorage: each method may answer synchronously or with a Promise.
 */
export interface StorageAdapter {
  /** The value stored under `key`, or null/undefined when there is none. */
  getItem(key: string): string | null | undefined | Promise<string | null | undefined>;
  /** Stores `value` under `key`; may throw or reject when storage is full. */
  setItem(key: string, value: string): void | Promise<void>;
  /** Removes `key`, if present. */
  removeItem(key: string): void | Promise<void>;
}

export function isStorageAdapter(value: unknown): value is StorageAdapter {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.getItem === 'function' && typeof v.setItem === 'function' && typeof v.removeItem === 'function';
}

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
