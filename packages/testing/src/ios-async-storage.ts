import type { StorageAdapter } from '@sessionhub/core';

/** iOS's AsyncStorage keeps a value of up to this many UTF-16 units inline in its manifest (`RCTInlineValueThreshold`). */
export const IOS_INLINE_LIMIT = 1024;

/** One file written or removed by {@link iosAsyncStorage}. */
export interface IosFileOperation {
  /** `manifest`: the manifest file rewritten whole; `file`: a value's own file written; `remove`: a value's file deleted. */
  readonly kind: 'manifest' | 'file' | 'remove';
  /** The key of the value (undefined for the manifest). */
  readonly key?: string;
  /** UTF-8 bytes written (0 for a removal). */
  readonly bytes: number;
}

/**
 * AsyncStorage on iOS, as its native module stores (`RNCAsyncStorage.mm` of
 * @react-native-async-storage/async-storage 2.2.0, `_writeEntry` and `_removeEntry`): a value of up
 * to {@link IOS_INLINE_LIMIT} UTF-16 units lives inline in one manifest file (every such value of the
 * app, and a null for each value kept in a file of its own), rewritten whole whenever one of them
 * changes; a longer value is a file of its own, written atomically, and the manifest is rewritten
 * only when the key was inline or absent before. Each call is one batch (`setItem` is a `multiSet` of
 * one key): one manifest write at most. Answers asynchronously, as the module does.
 */
export interface IosAsyncStorage extends StorageAdapter {
  /** Every file written or removed so far, in order. */
  readonly operations: readonly IosFileOperation[];
  /** The stored key/value pairs. */
  snapshot(): Map<string, string>;
}

/**
 * A store that writes and removes files as iOS's AsyncStorage does (see {@link IosAsyncStorage}),
 * with `multiGet` and `multiRemove`. `onOperation` sees each file operation as it happens.
 */
export function iosAsyncStorage(onOperation?: (operation: IosFileOperation) => void): IosAsyncStorage {
  /** Key → its inline value, or null: in a file. */
  const manifest = new Map<string, string | null>();
  const files = new Map<string, string>();
  const operations: IosFileOperation[] = [];
  const later = <T>(f: () => T): Promise<T> => Promise.resolve().then(f);
  const note = (operation: IosFileOperation): void => {
    operations.push(operation);
    onOperation?.(operation);
  };
  const writeManifest = (): void => note({ kind: 'manifest', bytes: Buffer.byteLength(JSON.stringify(Object.fromEntries(manifest))) });
  const removeFile = (key: string): void => {
    if (files.delete(key)) note({ kind: 'remove', key, bytes: 0 });
  };
  const get = (key: string): string | null => {
    const value = manifest.get(key);
    return value === null ? (files.get(key) ?? null) : (value ?? null);
  };
  const remove = (keys: readonly string[]): void => {
    let changed = false;
    for (const key of keys) {
      if (manifest.get(key) === null) removeFile(key);
      changed = manifest.delete(key) || changed;
    }
    if (changed) writeManifest();
  };
  return {
    operations,
    getItem: (key) => later(() => get(key)),
    setItem: (key, value) =>
      later(() => {
        if (value.length <= IOS_INLINE_LIMIT) {
          if (manifest.get(key) === null) removeFile(key);
          manifest.set(key, value);
          return writeManifest();
        }
        files.set(key, value);
        note({ kind: 'file', key, bytes: Buffer.byteLength(value) });
        if (manifest.get(key) !== null) {
          manifest.set(key, null);
          writeManifest();
        }
      }),
    removeItem: (key) => later(() => remove([key])),
    multiGet: (keys) => later(() => keys.map((key) => [key, get(key)] as const)),
    multiRemove: (keys) => later(() => remove(keys)),
    snapshot: () => new Map([...manifest.keys()].map((key) => [key, get(key)!])),
  };
}
