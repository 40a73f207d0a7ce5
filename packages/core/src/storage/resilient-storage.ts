import { commitPipeline, type SafeStorage } from './commit-pipeline';
import type { StorageAdapter } from './storage-adapter';

export type { SafeStorage, Spare } from './commit-pipeline';

/**
 * Wraps a storage adapter so that a failing one (Safari private mode, a full quota or disk, a broken
 * AsyncStorage) never breaks the app: writes are committed in bursts (see the hub's commit pipeline);
 * a failure is reported once through `onFailure` (a message naming the store), what was not saved is
 * kept in memory and written again as soon as the storage works — it is retried, never given up for
 * the rest of the run.
 */
export function resilientStorage(adapter: StorageAdapter, onFailure: (problem: unknown) => void): SafeStorage {
  return commitPipeline(adapter, (message) => {
    try {
      onFailure(message);
    } catch {
      // reporting must not throw either
    }
  });
}

/**
 * A view of a SafeStorage under a key prefix (one per kit). A function prefix is read on every
 * access, so the view can follow a browser tab that moved to another storage slot. While `held()`,
 * the view reads as `degraded`, so an outbox over it sends nothing (the user opted out).
 */
export function namespacedStorage(storage: SafeStorage, prefix: string | (() => string), held?: () => boolean): SafeStorage {
  const p = typeof prefix === 'function' ? prefix : () => prefix;
  const view: SafeStorage = {
    get degraded() {
      return storage.degraded || !!held?.();
    },
    get: (key) => storage.get(p() + key),
    set: (key, value) => storage.set(p() + key, value),
    remove: (key, lazy) => storage.remove(p() + key, lazy),
  };
  // The pipeline's extras, where the storage has them.
  if (storage.setLater) view.setLater = (key, produce, lazy) => storage.setLater!(p() + key, produce, lazy);
  if (storage.settled) view.settled = () => storage.settled!();
  if (storage.busy) view.busy = () => storage.busy!();
  if (storage.commitNow) view.commitNow = (ifStaged) => storage.commitNow!(ifStaged && p() + ifStaged);
  if (storage.spare) view.spare = (list, drop, items) => storage.spare!(() => list().map((s) => [s[0], p() + s[1], s[2], s[3]]), drop, () => p() + items);
  return view;
}
