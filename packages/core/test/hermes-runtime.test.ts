/**
 * The bare-runtime smoke test: the BUILT packages (dist/, as npm ships them), bundled by esbuild for
 * a neutral platform, run in a `node:vm` context holding only the globals a React Native app on
 * Hermes has — no `crypto`, no `fetch`, no `TextEncoder`, no `URL`. A hub with the three kits must
 * start, log, go to the background and deliver to a recording transport.
 */
import { fileURLToPath } from 'node:url';
import { webcrypto } from 'node:crypto';
import vm from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { SONG, type AppReport } from './hermes-app';
import { bundleHermesApp, expectDeliveredWithoutCrypto, NO_CRYPTO, NO_CRYPTO_TEXT, snowplowEvents, UUID_V4 } from './hermes-bundle';

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

let bundle: string;

beforeAll(async () => {
  bundle = await bundleHermesApp(fileURLToPath(new URL('./hermes-app.ts', import.meta.url)));
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

describe('a React Native app on Hermes, no polyfills (built packages in a bare node:vm context)', () => {
  it('has exactly the listed globals', () => {
    const names = vm.runInContext('Object.getOwnPropertyNames(globalThis)', reactNativeContext()) as string[];
    expect([...names].sort()).toEqual([...HERMES_GLOBALS, ...REACT_NATIVE_GLOBALS].sort());
  });

  it('starts, logs, backgrounds and delivers to every vendor, with ids from the documented fallback and one warning', async () => {
    const report = await runApp(reactNativeContext());
    expectDeliveredWithoutCrypto(report);
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
