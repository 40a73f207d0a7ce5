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
  /**
   * The room the device's disk has for the module's files (the values in files of their own and the
   * manifest), in UTF-8 bytes; Infinity (the default): no limit. A write that would pass it fails as
   * the module reports it: `RCTMakeError`'s message, the module's text followed by the NSError's
   * description, Cocoa's out-of-space error (640) in the device's language, and (`posixError`) the
   * POSIX error 28 under it, whose text is never translated.
   */
  diskBytes: number;
  /** Whether the out-of-space error names the POSIX error under it (see `diskBytes`). Default true. */
  posixError: boolean;
  /** UTF-8 bytes of the module's files now. */
  readonly bytes: number;
}

/** What a file's write on a full disk fails with (see `IosAsyncStorage.diskBytes`): French here, as on a French device. */
const outOfSpace = (what: string, file: string, posix: boolean): Error =>
  new Error(
    `${what}Error Domain=NSCocoaErrorDomain Code=640 "Impossible d’enregistrer le fichier « ${file} », car le volume « Data » est saturé." ` +
      `UserInfo={NSFilePath=/var/mobile/Containers/Data/Application/6C2D/Documents/RCTAsyncLocalStorage_V1/${file}` +
      (posix ? `, NSUnderlyingError=0x280f2c0c0 {Error Domain=NSPOSIXErrorDomain Code=28 "No space left on device"}}` : '}'),
  );

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
  let manifestBytes = 0;
  const used = (): number => {
    let n = manifestBytes;
    for (const v of files.values()) n += Buffer.byteLength(v);
    return n;
  };
  /** Throws as the module reports a full disk when `bytes` more would not fit (`replacing`: the bytes the write frees). */
  const room = (bytes: number, replacing: number, what: string, file: string): void => {
    if (used() - replacing + bytes > store.diskBytes) throw outOfSpace(what, file, store.posixError);
  };
  const writeManifest = (): void => {
    const bytes = Buffer.byteLength(JSON.stringify(Object.fromEntries(manifest)));
    room(bytes, manifestBytes, 'Failed to write manifest file.', 'manifest.json');
    manifestBytes = bytes;
    note({ kind: 'manifest', bytes });
  };
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
  const store: IosAsyncStorage = {
    diskBytes: Infinity,
    posixError: true,
    get bytes() {
      return used();
    },
    operations,
    getItem: (key) => later(() => get(key)),
    setItem: (key, value) =>
      later(() => {
        if (value.length <= IOS_INLINE_LIMIT) {
          const before = manifest.get(key);
          manifest.set(key, value);
          try {
            writeManifest();
          } catch (error) {
            // Not written: the manifest in memory as it was.
            before === undefined ? manifest.delete(key) : manifest.set(key, before);
            throw error;
          }
          if (before === null) removeFile(key);
          return;
        }
        // Written atomically: a temporary file, then renamed over the old one.
        room(Buffer.byteLength(value), 0, 'Failed to write value.', key);
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
  return store;
}
