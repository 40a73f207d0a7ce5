import { errorMessage } from '../describe-value';
import { message } from '../messages';
import type { StorageAdapter } from '../storage/storage-adapter';

/** The part of the Web Storage API (`localStorage`) SessionHub uses. */
export interface WebStorageLike {
  /** As `Storage.getItem`. */
  getItem(key: string): string | null;
  /** As `Storage.setItem` (may throw when full). */
  setItem(key: string, value: string): void;
  /** As `Storage.removeItem`. */
  removeItem(key: string): void;
  /** As `Storage.key`: the key at `index`, to list them. */
  key(index: number): string | null;
  readonly length: number;
}

/** A synchronous storage that never throws: the browser's, or memory once the browser's failed. */
export interface PageStorage extends StorageAdapter {
  /** As `Storage.getItem`. */
  getItem(key: string): string | null;
  /** As `Storage.setItem` (may throw when full). */
  setItem(key: string, value: string): void;
  /** As `Storage.removeItem`. */
  removeItem(key: string): void;
  /** Removes every key under the prefix but `keep`. */
  clear(keep: string): void;
  /** The keys that start with `start` (in the browser's storage, or memory once it failed). */
  keys(start: string): string[];
  /** True once the browser's storage failed (or was never usable) and memory is used instead. */
  readonly degraded: boolean;
}

/**
 * Web Storage with a fallback to memory: when `localStorage` is unavailable (blocked by the user's
 * settings, some private modes, sandboxed frames) or full, `onFailure` is called once with what
 * happened (SH108–SH111, a code and the error in production builds) and from then on this page keeps its data in memory — seeded with what it could still
 * read under `prefix`, so nothing already written is lost. The page keeps working; its session is
 * then neither shared with other tabs nor kept across a reload. When full, the hub first makes room
 * (`whenFull`: old records, then the oldest plain queued events) and the write is tried again;
 * memory is the last resort.
 *
 * @param source - returns the storage; may throw (reading `window.localStorage` does when it is blocked).
 */
export function pageStorage(source: () => WebStorageLike | null | undefined, prefix: string, onFailure: (problem: string) => void): PageStorage {
  const memory = new Map<string, string>();
  let store: WebStorageLike | null | undefined;

  /** Moves to memory for good (called while `store` is still the failing storage, or at the probe). */
  const degrade = (code: 108 | 109 | 110 | 111, error: unknown): void => {
    try {
      for (let i = 0; store && i < store.length; i++) {
        const key = store.key(i);
        if (key === null || !key.startsWith(prefix) || memory.has(key)) continue;
        const value = store.getItem(key);
        if (value !== null) memory.set(key, value);
      }
    } catch {
      // Nothing more can be read; memory keeps what it has.
    }
    store = null;
    try {
      onFailure(message(code, errorMessage(error)));
    } catch {
      // reporting must not throw either
    }
  };

  /** The hub's (see `StorageAdapter.whenFull`) once it is set. */
  let room = (_chars: number): boolean => false;
  /** QuotaExceededError, and Firefox's former NS_ERROR_DOM_QUOTA_REACHED (throws for a thrown non-object). */
  const full = (error: unknown): boolean => /quota/i.test((error as Error).name);
  /** The write did not fit: true once room was made for it (so it is tried again). */
  const madeRoom = (error: unknown, key: string, value: string): boolean => {
    try {
      return full(error) && room(value.length - (store!.getItem(key)?.length ?? -key.length));
    } catch {
      return false;
    }
  };

  try {
    const s = source();
    // Said as "localStorage is unavailable (missing)".
    if (!s) throw 'missing';
    try {
      // The prefix itself is no key of ours, nor, being ours, of the app's.
      s.setItem(prefix, '1');
      s.removeItem(prefix);
    } catch (error) {
      // Full (the last page filled it to the quota) is not unavailable: a write that does not fit makes room.
      if (!full(error)) throw error;
    }
    store = s;
  } catch (error) {
    degrade(108, error);
  }

  const page: PageStorage = {
    get degraded() {
      return !store;
    },
    getItem(key) {
      if (store) {
        try {
          return store.getItem(key);
        } catch (error) {
          degrade(109, error);
        }
      }
      return memory.get(key) ?? null;
    },
    setItem(key, value) {
      while (store) {
        try {
          return store.setItem(key, value);
        } catch (error) {
          if (!madeRoom(error, key, value)) degrade(110, error);
        }
      }
      // With the rest in memory, and the value that did not fit.
      memory.set(key, value);
    },
    whenFull(makeRoom) {
      room = makeRoom;
    },
    removeItem(key) {
      memory.delete(key);
      if (!store) return;
      try {
        store.removeItem(key);
      } catch (error) {
        degrade(111, error);
      }
    },
    clear(keep) {
      for (const key of page.keys(prefix)) if (key != keep) page.removeItem(key);
    },
    keys(start) {
      const keys = [...memory.keys()];
      try {
        for (let i = 0; store && i < store.length; i++) keys.push(store.key(i)!);
      } catch {
        // What cannot be listed is not there for this page (a failing read shows on the next one).
      }
      return [...new Set(keys.filter((key) => key?.startsWith(start)))];
    },
  };
  return page;
}
