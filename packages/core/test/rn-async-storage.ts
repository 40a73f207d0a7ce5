/**
 * React Native's AsyncStorage as an app gets it: the JavaScript of `@react-native-async-storage/async-storage`
 * (the pinned devDependency, its `AsyncStorage.native.js`, bundled as the React Native packager would
 * pick it), over a native module that behaves as its Android module does (AsyncStorageModule.java):
 * every call is a task on a serial executor, run one after another, each answering through its
 * callback on a later turn of the JavaScript thread; `multiGet` answers the keys it found, then
 * `[key, null]` for those it did not (not in the order asked); errors come as `{ message, key }`.
 */
import { build, type Plugin } from 'esbuild';
import { createRequire } from 'node:module';

type Callback = (errors?: unknown, result?: unknown) => void;

/** The fake native module: the stored rows, and what was called. */
export interface NativeAsyncStorage {
  readonly rows: Map<string, string>;
  /** Calls of the module, by method, in order. */
  readonly calls: string[];
  /** Makes every later call of `method` answer this error (as the module reports a database error). */
  fail(method: string, message: string): void;
}

/** The library's AsyncStorage object (its default export), as typed for an app. */
export interface AsyncStorageStatic {
  getItem(key: string): Promise<string | null>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<void>;
  multiGet(keys: readonly string[]): Promise<readonly [string, string | null][]>;
  multiSet(pairs: ReadonlyArray<readonly [string, string]>): Promise<void>;
  multiRemove(keys: readonly string[]): Promise<void>;
  getAllKeys(): Promise<readonly string[]>;
  clear(): Promise<void>;
}

function nativeModule(initial?: Iterable<[string, string]>): NativeAsyncStorage & Record<string, unknown> {
  const rows = new Map(initial);
  const calls: string[] = [];
  const failing = new Map<string, string>();
  // The serial executor: one task at a time, each on a turn of its own.
  let queue = Promise.resolve();
  const task = (method: string, callback: Callback, run: () => unknown): void => {
    calls.push(method);
    queue = queue.then(
      () =>
        new Promise<void>((done) =>
          setTimeout(() => {
            const message = failing.get(method);
            if (message !== undefined) callback({ message, key: null });
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
    fail: (method, message) => void failing.set(method, message),
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

let source: Promise<string> | undefined;

/** The library's native entry, bundled once; `react-native` is the fake native module, handed in. */
function bundled(): Promise<string> {
  const reactNative: Plugin = {
    name: 'react-native',
    setup(b) {
      b.onResolve({ filter: /^react-native$/ }, () => ({ path: 'react-native', namespace: 'fake' }));
      b.onLoad({ filter: /.*/, namespace: 'fake' }, () => ({
        contents: "export const TurboModuleRegistry = { get: (name) => (name === 'RNCAsyncStorage' ? __nativeModule : null) };\nexport const NativeModules = {};\n",
        loader: 'js',
      }));
    },
  };
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@react-native-async-storage/async-storage/lib/module/AsyncStorage.native.js');
  return (source ??= build({ entryPoints: [entry], bundle: true, format: 'iife', globalName: 'AsyncStorageModule', platform: 'neutral', target: 'es2020', write: false, plugins: [reactNative], logLevel: 'silent' }).then((r) => r.outputFiles[0]!.text));
}

/** A fresh AsyncStorage (the library's JavaScript) over a fresh native module holding `initial`. */
export async function reactNativeAsyncStorage(initial?: Iterable<[string, string]>): Promise<{ AsyncStorage: AsyncStorageStatic; native: NativeAsyncStorage }> {
  const native = nativeModule(initial);
  const load = new Function('__nativeModule', `${await bundled()}\nreturn AsyncStorageModule.default;`) as (module: unknown) => AsyncStorageStatic;
  return { AsyncStorage: load(native), native };
}
