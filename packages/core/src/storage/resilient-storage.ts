import { errorMessage } from '../describe-value';
import type { Logger } from '../logger';
import { memoryStorage, type StorageAdapter } from './storage-adapter';

/** Storage as the hub and kits use it: always async, never throws, falls back to memory when the real one fails. */
export interface SafeStorage {
  /** The value under `key`, or null (also when reading failed). */
  get(key: string): Promise<string | null>;
  /** Writes `value` under `key`; never rejects (a failure falls back to memory). */
  set(key: string, value: string): Promise<void>;
  /** Removes `key`; never rejects. */
  remove(key: string): Promise<void>;
  /** True once the underlying storage failed and memory is used instead. */
  readonly degraded: boolean;
}

/**
 * Wraps a storage adapter so that a failing one (Safari private mode, a full quota, a broken
 * AsyncStorage) never breaks the app: the first failure is reported once through `onFailure`, and from
 * then on reads and writes go to memory (seeded by what was written since), so the app keeps running.
 */
export function resilientStorage(adapter: StorageAdapter, onFailure: (error: unknown) => void): SafeStorage {
  const fallback = memoryStorage();
  let degraded = false;
  const fail = (error: unknown): void => {
    if (degraded) return;
    degraded = true;
    try {
      onFailure(error);
    } catch {
      // reporting must not throw either
    }
  };
  return {
    get degraded() {
      return degraded;
    },
    async get(key) {
      if (!degraded) {
        try {
          const v = await adapter.getItem(key);
          const value = typeof v === 'string' ? v : null;
          if (value === null) fallback.removeItem(key);
          else fallback.setItem(key, value);
          return value;
        } catch (error) {
          fail(error);
        }
      }
      return fallback.getItem(key) as string | null;
    },
    async set(key, value) {
      // Memory always holds the latest value, so a later failure loses nothing already written.
      fallback.setItem(key, value);
      if (degraded) return;
      try {
        await adapter.setItem(key, value);
      } catch (error) {
        fail(error);
      }
    },
    async remove(key) {
      fallback.removeItem(key);
      if (degraded) return;
      try {
        await adapter.removeItem(key);
      } catch (error) {
        fail(error);
      }
    },
  };
}

/**
 * A view of a SafeStorage under a key prefix (one per kit). A function prefix is read on every
 * access, so the view can follow a browser tab that moved to another storage slot.
 */
export function namespacedStorage(storage: SafeStorage, prefix: string | (() => string)): SafeStorage {
  const p = typeof prefix === 'function' ? prefix : () => prefix;
  return {
    get degraded() {
      return storage.degraded;
    },
    get: (key) => storage.get(p() + key),
    set: (key, value) => storage.set(p() + key, value),
    remove: (key) => storage.remove(p() + key),
  };
}

/** Reports a failed storage through a logger. */
export function warnStorageFailure(logger: Logger, what: string): (error: unknown) => void {
  return (error) =>
    logger.warn(`${what}: storage failed (${errorMessage(error)}); keeping data in memory from now on`);
}
