/**
 * The bare-runtime smoke test: the BUILT packages (dist/, as npm ships them), bundled by esbuild for
 * a neutral platform, run in a `node:vm` context holding only the globals a React Native app on
 * Hermes has — no `crypto`, no `fetch`, no `TextEncoder`, no `URL`. A hub with the three kits must
 * start, log, go to the background and deliver to a recording transport.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { webcrypto } from 'node:crypto';
import vm from 'node:vm';
import { build, type Plugin } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { storedView } from '@sessionhub/testing';
import { SONG, type AppReport } from './hermes-app';

/**
 * The global object of Hermes, as `initGlobalObject` (facebook/hermes, lib/VM/JSLib/GlobalObject.cpp)
 * defines it: the ECMAScript built-ins, plus `print`, `gc` and `HermesInternal` (and `Intl` in React
 * Native's builds). No `crypto`, `TextEncoder` (only in recent versions), `URL`, `fetch`, timers or
 * `console`: those come from React Native or from polyfills.
 */
const HERMES_GLOBALS = [
  'Object', 'Function', 'Array', 'Number', 'parseFloat', 'parseInt', 'Infinity', 'NaN', 'undefined', 'Boolean',
  'String', 'Symbol', 'Date', 'Promise', 'RegExp', 'Error', 'AggregateError', 'EvalError', 'RangeError',
  'ReferenceError', 'SyntaxError', 'TypeError', 'URIError', 'globalThis', 'JSON', 'Math', 'Intl', 'ArrayBuffer',
  'Uint8Array', 'Int8Array', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array', 'Float32Array',
  'Float64Array', 'Uint8ClampedArray', 'BigUint64Array', 'BigInt64Array', 'DataView', 'Map', 'BigInt', 'Set',
  'WeakMap', 'WeakSet', 'Proxy', 'Reflect', 'FinalizationRegistry', 'WeakRef', 'decodeURI', 'decodeURIComponent',
  'encodeURI', 'encodeURIComponent', 'escape', 'unescape', 'eval', 'isFinite', 'isNaN',
  'print', 'gc', 'HermesInternal',
];
/**
 * What React Native adds before the app's code runs (Libraries/Core/setUpTimers.js and the console
 * set-up). React Native also installs `fetch`, `XMLHttpRequest` and a partial `URL`; the kits here use
 * a recording transport, so the SDK must not need them.
 */
const REACT_NATIVE_GLOBALS = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'queueMicrotask', 'console'];
/** V8 has these in every context; Hermes has none of them, so the test removes them. */
const NOT_IN_HERMES = ['SharedArrayBuffer', 'Atomics', 'WebAssembly'];

const packagesDir = fileURLToPath(new URL('../../', import.meta.url));
const BUILT = ['core', 'delivery', 'kit-braze', 'kit-snowplow', 'kit-clevertap'];

/** Newest modification time under a directory, ms. */
function newest(dir: string): number {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return t;
}

/** Builds a package whose dist/ is missing or older than its sources (CI builds first, so it never has to). */
function ensureBuilt(pkg: string): void {
  const dist = resolve(packagesDir, pkg, 'dist/index.js');
  if (existsSync(dist) && statSync(dist).mtimeMs >= newest(resolve(packagesDir, pkg, 'src'))) return;
  execFileSync('pnpm', ['--filter', `@sessionhub/${pkg}`, 'run', 'build'], { cwd: packagesDir, stdio: 'ignore' });
}

/** `@sessionhub/<kit or core>` resolves to its built dist/; the recording transport to its source (not under test). */
const builtPackages: Plugin = {
  name: 'built-packages',
  setup(b) {
    b.onResolve({ filter: /^@sessionhub\/[a-z-]+$/ }, (args) => {
      const pkg = args.path.slice('@sessionhub/'.length);
      if (pkg === 'testing') return { path: resolve(packagesDir, 'testing/src/recording-transport.ts') };
      return { path: resolve(packagesDir, pkg, 'dist/index.js') };
    });
  },
};

/**
 * AsyncStorage as the React Native packager picks it (the library's `AsyncStorage.native.js`), over
 * the fake of its native module that `react-native` resolves to here (fake-rn-native-module.ts; the
 * app reads it from `globalThis.nativeAsyncStorage` to report what was stored and called).
 */
const asyncStorage: Plugin = {
  name: 'async-storage',
  setup(b) {
    const require = createRequire(import.meta.url);
    b.onResolve({ filter: /^@react-native-async-storage\/async-storage$/ }, () => ({ path: require.resolve('@react-native-async-storage/async-storage/lib/module/AsyncStorage.native.js') }));
    b.onResolve({ filter: /^react-native$/ }, () => ({ path: 'react-native', namespace: 'fake' }));
    b.onLoad({ filter: /.*/, namespace: 'fake' }, () => ({
      contents:
        `import { nativeModule } from ${JSON.stringify(fileURLToPath(new URL('./fake-rn-native-module.ts', import.meta.url)))};\n` +
        'const native = (globalThis.nativeAsyncStorage = nativeModule());\n' +
        "export const TurboModuleRegistry = { get: (name) => (name === 'RNCAsyncStorage' ? native : null) };\n" +
        'export const NativeModules = {};\n',
      loader: 'js',
      resolveDir: fileURLToPath(new URL('.', import.meta.url)),
    }));
  },
};

let bundle: string;

beforeAll(async () => {
  for (const pkg of BUILT) ensureBuilt(pkg);
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./hermes-app.ts', import.meta.url))],
    bundle: true,
    platform: 'neutral',
    format: 'iife',
    target: 'es2020',
    write: false,
    plugins: [builtPackages, asyncStorage],
    logLevel: 'silent',
  });
  bundle = result.outputFiles[0]!.text;
}, 300_000);

/**
 * A context with the Hermes and React Native globals only; `getRandomValues` is the app's polyfill, if
 * any; `nodeEnv`: the `process.env.NODE_ENV` React Native's setUpGlobals.js defines (`'development'`
 * when `__DEV__`), or none: a bare runtime without `process`, which gets production messages.
 */
function reactNativeContext(getRandomValues?: (array: Uint8Array) => Uint8Array, nodeEnv?: string, more: Record<string, unknown> = {}): vm.Context {
  const context = vm.createContext({});
  for (const name of NOT_IN_HERMES) vm.runInContext(`delete globalThis.${name}`, context);
  // React Native's timers answer numeric ids, without Node's unref.
  const timers = new Map<number, ReturnType<typeof setTimeout>>();
  let nextId = 1;
  const later = (fn: () => void, ms?: number): number => {
    const id = nextId++;
    timers.set(id, setTimeout(() => (timers.delete(id), fn()), ms));
    return id;
  };
  const cancel = (id: number): void => {
    clearTimeout(timers.get(id));
    timers.delete(id);
  };
  const every = (fn: () => void, ms?: number): number => {
    const id = nextId++;
    timers.set(id, setInterval(fn, ms) as unknown as ReturnType<typeof setTimeout>);
    return id;
  };
  const host: Record<string, unknown> = {
    print: () => {},
    gc: () => {},
    HermesInternal: {},
    setTimeout: later,
    clearTimeout: cancel,
    setInterval: every,
    clearInterval: (id: number) => (clearInterval(timers.get(id)), timers.delete(id)),
    setImmediate: (fn: () => void) => later(fn, 0),
    clearImmediate: cancel,
    queueMicrotask: vm.runInContext('(fn) => Promise.resolve().then(fn)', context),
    console: { log() {}, debug() {}, info() {}, warn() {}, error() {} },
  };
  if (getRandomValues) host.crypto = { getRandomValues };
  if (nodeEnv) host.process = { env: { NODE_ENV: nodeEnv } };
  Object.assign(context, host, more);
  return context;
}

async function runApp(context: vm.Context): Promise<AppReport> {
  vm.runInContext(bundle, context);
  const report = await vm.runInContext('runApp()', context);
  return JSON.parse(JSON.stringify(report)) as AppReport;
}

/** The data of the Snowplow events the app sent with `ue_px` (base64url of the event's UTF-8 JSON), decoded here by Node. */
const snowplowEvents = (report: AppReport): unknown[] =>
  report.requests
    .filter((r) => r.url.includes('collector.example.com'))
    .flatMap((r) => (JSON.parse(r.body) as { data: { ue_px?: string }[] }).data)
    .flatMap((e) => (e.ue_px ? [(JSON.parse(Buffer.from(e.ue_px, 'base64url').toString('utf8')) as { data: { data: unknown } }).data.data] : []));

const UUID_V4 = /^[\da-f]{8}-[\da-f]{4}-4[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/;
/** The no-crypto warning: its code and docs link without `process` (production form), its text with a development NODE_ENV. */
const NO_CRYPTO = /^\[sessionhub\] SH105 https:\/\/\S+\/docs\/messages\.md#sh105$/;
const NO_CRYPTO_TEXT = /^\[sessionhub\] no crypto\.getRandomValues: ids come from Math\.random/;

describe('a React Native app on Hermes, no polyfills (built packages in a bare node:vm context)', () => {
  it('has exactly the listed globals', () => {
    const names = vm.runInContext('Object.getOwnPropertyNames(globalThis)', reactNativeContext()) as string[];
    expect([...names].sort()).toEqual([...HERMES_GLOBALS, ...REACT_NATIVE_GLOBALS].sort());
  });

  it('starts, logs, backgrounds and delivers to every vendor, with ids from the documented fallback and one warning', async () => {
    const report = await runApp(reactNativeContext());
    expect(report.started).toBe(true);
    expect(report.errors).toEqual([]);
    expect(report.warnings.filter((w) => NO_CRYPTO.test(w))).toHaveLength(1);
    expect(report.deviceId).toMatch(UUID_V4);
    expect(report.sessionId).toMatch(UUID_V4);
    const to = (host: string) => report.requests.filter((r) => r.url.includes(host));
    const [braze, snowplow, clevertap] = ['braze.com', 'collector.example.com', 'clevertap-prod.com'].map(to);
    expect(braze!.some((r) => r.body.includes('"song_played"') && r.body.includes(report.deviceId!))).toBe(true);
    expect(clevertap!.some((r) => r.body.includes('"song_played"'))).toBe(true);
    // Snowplow's event ids (`eid`) come from the hub's id source too.
    const eids = snowplow!.flatMap((r) => (JSON.parse(r.body) as { data: { eid: string }[] }).data.map((e) => e.eid));
    expect(eids.length).toBeGreaterThanOrEqual(2);
    for (const eid of eids) expect(eid).toMatch(UUID_V4);
    expect(new Set(eids).size).toBe(eids.length);
    // No Buffer and no btoa here: the kit's own base64url of the UTF-8 bytes, non-ASCII included.
    expect(snowplowEvents(report)).toContainEqual(SONG);
    // The state and the outboxes went to the app's AsyncStorage (in segment keys).
    expect([...storedView(report.stored).keys()]).toEqual(expect.arrayContaining(['sessionhub:state', 'sessionhub:kit:braze:outbox:meta']));
    // Read through the library's multiGet, which merges what a tick asks into one call of the native
    // module: the 16 segment keys in one (measured: 6 multiGet calls; 31 with a getItem per key).
    expect(report.nativeCalls.filter((c) => c === 'multiGet').length).toBeLessThanOrEqual(10);
  });

  // Hermes has btoa from React Native 0.74 on (Node's stands in for it here); some apps install a
  // polyfill that encodes UTF-8 instead, which the kit must not take.
  it.each([
    ['Hermes\'s btoa (React Native 0.74 and later)', (s: string) => btoa(s), true],
    ['a btoa polyfill that encodes UTF-8', (s: string) => Buffer.from(s).toString('base64'), false],
  ])('sends Snowplow\'s ue_px as the same bytes with %s', async (_name, platformBtoa, taken) => {
    let calls = 0;
    const report = await runApp(reactNativeContext(undefined, undefined, { btoa: (s: string) => (calls++, platformBtoa(s)) }));
    expect(report.errors).toEqual([]);
    expect(snowplowEvents(report)).toContainEqual(SONG);
    // Tried once as the kit loads; taken, it then encodes every cx and ue_px.
    if (taken) expect(calls).toBeGreaterThan(2);
    else expect(calls).toBe(1);
  });

  it('prints warnings in full where React Native defines process.env.NODE_ENV as development', async () => {
    const report = await runApp(reactNativeContext(undefined, 'development'));
    expect(report.started).toBe(true);
    expect(report.warnings.filter((w) => NO_CRYPTO_TEXT.test(w))).toHaveLength(1);
    expect(report.warnings.filter((w) => NO_CRYPTO.test(w))).toEqual([]);
  });

  it('uses the app\'s crypto.getRandomValues polyfill when there is one, without a warning', async () => {
    let calls = 0;
    let drawn = '';
    const report = await runApp(
      reactNativeContext((array) => {
        calls += 1;
        webcrypto.getRandomValues(array);
        drawn += Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('hex');
        return array;
      }),
    );
    expect(report.started).toBe(true);
    expect(report.warnings.filter((w) => NO_CRYPTO.test(w) || NO_CRYPTO_TEXT.test(w))).toEqual([]);
    // The ids are the polyfill's bytes (bar the version and variant bits): it is drawn from in blocks of many ids.
    expect(calls).toBeGreaterThanOrEqual(1);
    for (const id of [report.deviceId!, report.sessionId!]) {
      expect(id).toMatch(UUID_V4);
      const hex = id.replace(/-/g, '');
      expect(drawn).toMatch(new RegExp(`^(..)*${hex.slice(0, 12)}.${hex.slice(13, 16)}.${hex.slice(17)}`));
    }
    expect(report.requests.length).toBeGreaterThanOrEqual(3);
  });
});
