/**
 * React Native's AsyncStorage as an app gets it: the JavaScript of `@react-native-async-storage/async-storage`
 * (the pinned devDependency, its `AsyncStorage.native.js`, bundled as the React Native packager would
 * pick it), over a native module that behaves as its Android module does (fake-rn-native-module.ts).
 */
import { build, type Plugin } from 'esbuild';
import { createRequire } from 'node:module';
import { nativeModule, type NativeAsyncStorage } from './fake-rn-native-module';

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

export type { NativeAsyncStorage };

/** A fresh AsyncStorage (the library's JavaScript) over a fresh native module holding `initial`. */
export async function reactNativeAsyncStorage(initial?: Iterable<[string, string]>): Promise<{ AsyncStorage: AsyncStorageStatic; native: NativeAsyncStorage }> {
  const native = nativeModule(initial);
  const load = new Function('__nativeModule', `${await bundled()}\nreturn AsyncStorageModule.default;`) as (module: unknown) => AsyncStorageStatic;
  return { AsyncStorage: load(native), native };
}
