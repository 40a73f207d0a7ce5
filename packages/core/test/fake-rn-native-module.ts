/**
 * A fake of React Native AsyncStorage's native module, behaving as its Android module does
 * (AsyncStorageModule.java in react-native-async-storage): every call is a task on a serial executor,
 * run one after another, each answering through its callback on a later turn of the JavaScript
 * thread; `multiGet` answers the keys it found, then `[key, null]` for those it did not (not in the
 * order asked); errors come as `{ message, key }`. The library's JavaScript runs over it
 * (rn-async-storage.ts in Node, hermes-app.ts in a Hermes-like context).
 */
type Callback = (errors?: unknown, result?: unknown) => void;

/** The fake native module: the stored rows, and what was called. */
export interface NativeAsyncStorage {
  readonly rows: Map<string, string>;
  /** Calls of the module, by method, in order. */
  readonly calls: string[];
  /** Makes later calls of `method` answer this error (as the module reports a database error): `times` of them, or every one. */
  fail(method: string, message: string, times?: number): void;
  /** Makes later calls of `method` work again. */
  recover(method: string): void;
  /**
   * Makes the next `times` calls of `method` never answer: on Android an `Error` in a call's task (an
   * OutOfMemoryError reading a large row) is not caught by the module, so its callback is never
   * called; the serial executor runs the next task regardless (its `finally`).
   */
  hang(method: string, times?: number): void;
  /**
   * The database's size limit (Android's `AsyncStorage_db_size_in_MB`, 6 MB unless the app sets
   * it), in UTF-8 bytes of keys and values; Infinity: none. A `multiSet` that would pass it fails
   * whole (the module's transaction), with SQLite's error, as Android reports it.
   */
  capBytes: number;
  /** UTF-8 bytes of every key and value stored. */
  readonly bytes: number;
}

/**
 * What Android says when a read finds a value longer than its CursorWindow (2 MB: 2,097,152 bytes)
 * holds: the value was stored, and cannot be read back. `multiGet` fails whole.
 */
export const ROW_TOO_BIG = 'Row too big to fit into CursorWindow requiredPos=0, totalRows=1';
const CURSOR_WINDOW_BYTES = 2 * 1024 * 1024;

/** What Android's SQLite says when a write would pass the database's size limit (SQLiteFullException's message). */
export const SQLITE_FULL = 'database or disk is full (code 13 SQLITE_FULL)';

/** A native module holding `initial`. */
export function nativeModule(initial?: Iterable<[string, string]>): NativeAsyncStorage & Record<string, unknown> {
  const rows = new Map(initial);
  const calls: string[] = [];
  const failing = new Map<string, [message: string, times: number]>();
  const hanging = new Map<string, number>();
  // The serial executor: one task at a time, each on a turn of its own.
  let queue = Promise.resolve();
  const task = (method: string, callback: Callback, run: () => unknown): void => {
    calls.push(method);
    queue = queue.then(
      () =>
        new Promise<void>((done) =>
          setTimeout(() => {
            const failure = failing.get(method);
            const hangs = hanging.get(method) ?? 0;
            if (hangs > 0) hanging.set(method, hangs - 1);
            else if (failure && failure[1]-- > 0) callback({ message: failure[0], key: null });
            else {
              const result = run();
              if (result === undefined) callback(null);
              else if (result && typeof result == 'object' && 'error' in result) callback({ message: (result as { error: string }).error, key: null });
              else callback(null, result);
            }
            done();
          }, 0),
        ),
    );
  };
  const size = (): number => {
    let n = 0;
    for (const [k, v] of rows) n += utf8Length(k) + utf8Length(v);
    return n;
  };
  const store: NativeAsyncStorage & Record<string, unknown> = {
    rows,
    calls,
    capBytes: Infinity,
    get bytes() {
      return size();
    },
    fail: (method, message, times = Infinity) => void failing.set(method, [message, times]),
    recover: (method) => void (failing.delete(method), hanging.delete(method)),
    hang: (method, times = Infinity) => void hanging.set(method, times),
    multiGet(keys: string[], callback: Callback) {
      task('multiGet', callback, () => {
        const found = [...rows].filter(([k]) => keys.includes(k));
        // (A row of fewer characters fits whatever they are: not counted.)
        if (found.some(([k, v]) => (k.length + v.length) * 3 > CURSOR_WINDOW_BYTES && utf8Length(k) + utf8Length(v) > CURSOR_WINDOW_BYTES)) return { error: ROW_TOO_BIG };
        return [...found, ...keys.filter((k) => !rows.has(k)).map((k) => [k, null])];
      });
    },
    multiSet(pairs: Array<[string, string]>, callback: Callback) {
      task('multiSet', callback, () => {
        const before = new Map(pairs.map(([k]) => [k, rows.get(k)]));
        pairs.forEach(([k, v]) => rows.set(k, v));
        if (store.capBytes == Infinity || size() <= store.capBytes) return undefined;
        // Rolled back: the transaction stores all of the pairs or none.
        before.forEach((v, k) => (v === undefined ? rows.delete(k) : rows.set(k, v)));
        return { error: SQLITE_FULL };
      });
    },
    multiRemove(keys: string[], callback: Callback) {
      task('multiRemove', callback, () => void keys.forEach((k) => rows.delete(k)));
    },
    multiMerge(_pairs: unknown, callback: Callback) {
      task('multiMerge', callback, () => undefined);
    },
    getAllKeys(callback: Callback) {
      task('getAllKeys', callback, () => [...rows.keys()]);
    },
    clear(callback: Callback) {
      task('clear', callback, () => void rows.clear());
    },
  };
  return store;
}

/** UTF-8 bytes of `text` (no `Buffer`: the module also runs in a Hermes context, hermes-app.ts). */
function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c < 0xdc00 && i + 1 < text.length ? (i++, 4) : 3;
  }
  return n;
}
