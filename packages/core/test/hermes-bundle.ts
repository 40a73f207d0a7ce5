/**
 * What both React Native runtime tests share: the app (hermes-app.ts, or an entry around it) bundled
 * from the BUILT packages (dist/, as npm ships them) for a neutral platform, with React Native's
 * AsyncStorage over a fake of its native module; and what a run of it must have done.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { expect } from 'vitest';
import { storedView } from '@sessionhub/testing';
import { SONG, type AppReport } from './hermes-app';

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

/** The app at `entry` (hermes-app.ts or an entry that imports it) as one script, ES2020. */
export async function bundleHermesApp(entry: string): Promise<string> {
  for (const pkg of BUILT) ensureBuilt(pkg);
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'neutral',
    format: 'iife',
    target: 'es2020',
    write: false,
    plugins: [builtPackages, asyncStorage],
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** The data of the Snowplow events the app sent with `ue_px` (base64url of the event's UTF-8 JSON), decoded here by Node. */
export const snowplowEvents = (report: AppReport): unknown[] =>
  report.requests
    .filter((r) => r.url.includes('collector.example.com'))
    .flatMap((r) => (JSON.parse(r.body) as { data: { ue_px?: string }[] }).data)
    .flatMap((e) => (e.ue_px ? [(JSON.parse(Buffer.from(e.ue_px, 'base64url').toString('utf8')) as { data: { data: unknown } }).data.data] : []));

export const UUID_V4 = /^[\da-f]{8}-[\da-f]{4}-4[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/;
/** The no-crypto warning: its code and docs link without `process` (production form), its text with a development NODE_ENV. */
export const NO_CRYPTO = /^\[sessionhub\] SH105 https:\/\/\S+\/docs\/messages\.md#sh105$/;
export const NO_CRYPTO_TEXT = /^\[sessionhub\] no crypto\.getRandomValues: ids come from Math\.random/;

/**
 * A run with no crypto polyfill: started, logged, backgrounded and delivered to every vendor, with
 * ids from the documented fallback and its one warning, and stored in AsyncStorage.
 */
export function expectDeliveredWithoutCrypto(report: AppReport): void {
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
  // The kit's own base64url of the UTF-8 bytes (no Buffer, and no btoa unless given), non-ASCII included.
  expect(snowplowEvents(report)).toContainEqual(SONG);
  // The state and the outboxes went to the app's AsyncStorage (in segment keys).
  expect([...storedView(report.stored).keys()]).toEqual(expect.arrayContaining(['sessionhub:state', 'sessionhub:kit:braze:outbox:meta']));
}
