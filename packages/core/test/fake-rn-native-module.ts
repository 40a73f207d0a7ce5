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
}

/** A native module holding `initial`. */
export function nativeModule(initial?: Iterable<[string, string]>): NativeAsyncStorage & Record<string, unknown> {
  const rows = new Map(initial);
  const calls: string[] = [];
  const failing = new Map<string, [message: string, times: number]>();
  // The serial executor: one task at a time, each on a turn of its own.
  let queue = Promise.resolve();
  const task = (method: string, callback: Callback, run: () => unknown): void => {
    calls.push(method);
    queue = queue.then(
      () =>
        new Promise<void>((done) =>
          setTimeout(() => {
            const failure = failing.get(method);
            if (failure && failure[1]-- > 0) callback({ message: failure[0], key: null });
            else {
              const result = run();
              if (result === undefined) callback(null);
              else callback(null, result);
            }
            done();
          }, 0),
        ),
    );
  };
  return {
    rows,
    calls,
    fail: (method, message, times = Infinity) => void failing.set(method, [message, times]),
    recover: (method) => void failing.delete(method),
    multiGet(keys: string[], callback: Callback) {
      task('multiGet', callback, () => {
        const found = [...rows].filter(([k]) => keys.includes(k));
        return [...found, ...keys.filter((k) => !rows.has(k)).map((k) => [k, null])];
      });
    },
    multiSet(pairs: Array<[string, string]>, callback: Callback) {
      task('multiSet', callback, () => void pairs.forEach(([k, v]) => rows.set(k, v)));
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
}
