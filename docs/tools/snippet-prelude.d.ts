/**
 * What every ```ts block in the docs may use without declaring it (the docs checker, check-docs.mjs,
 * compiles each block as a module next to this file). Keep it small: a block that needs more should
 * say so in its own code. A block's own declarations shadow these.
 */
// A script (no top-level import or export), so the `declare module` blocks below are ambient.

/** The app's hub, as created in "Getting started". */
declare const hub: import('@sessionhub/core').SessionHub;

// Platform modules this repository does not install. These are the parts of their real type
// declarations that the docs use, copied as they are, so a sample that misuses them fails.
declare module 'react-native' {
  export type AppStateStatus = 'active' | 'background' | 'inactive' | 'unknown' | 'extension';
  export type AppStateEvent = 'change' | 'memoryWarning' | 'blur' | 'focus';
  export interface NativeEventSubscription {
    remove(): void;
  }
  export type PlatformOSType = 'ios' | 'android' | 'macos' | 'windows' | 'web' | 'native';
  export const Platform: { OS: PlatformOSType };
  export const AppState: {
    currentState: AppStateStatus;
    isAvailable: boolean;
    addEventListener(type: AppStateEvent, listener: (state: AppStateStatus) => void): NativeEventSubscription;
  };
}

declare module '@react-native-async-storage/async-storage' {
  // As its types.ts declares them (v2, and v3's default export).
  type KeyValuePair = [string, string | null];
  const AsyncStorage: {
    getItem(key: string, callback?: (error?: Error | null, result?: string | null) => void): Promise<string | null>;
    setItem(key: string, value: string, callback?: (error?: Error | null) => void): Promise<void>;
    removeItem(key: string, callback?: (error?: Error | null) => void): Promise<void>;
    multiGet: (keys: readonly string[], callback?: (errors?: readonly (Error | null)[] | null, result?: readonly KeyValuePair[]) => void) => Promise<readonly KeyValuePair[]>;
    multiRemove: (keys: readonly string[], callback?: (errors?: readonly (Error | null)[] | null) => void) => Promise<void>;
  };
  export default AsyncStorage;
  /** v3: a storage instance of its own. */
  export function createAsyncStorage(name: string): {
    getItem(key: string): Promise<string | null>;
    setItem(key: string, value: string): Promise<void>;
    removeItem(key: string): Promise<void>;
    getMany(keys: string[]): Promise<Record<string, string | null>>;
    removeMany(keys: string[]): Promise<void>;
  };
}
