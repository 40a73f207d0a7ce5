/**
 * A React Native app as the bare-runtime smoke test runs it (see hermes-runtime.test.ts): the built
 * packages, bundled for a neutral platform, with React Native's AsyncStorage (the library's
 * JavaScript over a fake of its native module) and a recording transport. It exposes one function
 * on the global object; the test calls it inside the context.
 */
import { createHub, type Logger } from '@sessionhub/core';
import { brazeKit } from '@sessionhub/kit-braze';
import { clevertapKit } from '@sessionhub/kit-clevertap';
import { snowplowKit } from '@sessionhub/kit-snowplow';
import { recordingTransport } from '@sessionhub/testing';
import AsyncStorage from '@react-native-async-storage/async-storage';
import type { NativeAsyncStorage } from './fake-rn-native-module';

/** What one run of the app reports to the test. */
export interface AppReport {
  readonly started: boolean;
  readonly sessionId: string | null;
  readonly deviceId: string | null;
  readonly warnings: string[];
  readonly errors: string[];
  readonly requests: { url: string; body: string }[];
  readonly stored: Array<[string, string]>;
  /** The calls of AsyncStorage's native module, in order. */
  readonly nativeCalls: string[];
}

/** The event the app logs: its title goes to Snowplow in `ue_px`, base64url of its UTF-8 bytes on a phone. */
export const SONG = { genre: 'jazz', title: 'Für Elise ♪ 😀' };

/** The fake native module under AsyncStorage (see the test's esbuild plugin). */
const native = (): NativeAsyncStorage => (globalThis as unknown as { nativeAsyncStorage: NativeAsyncStorage }).nativeAsyncStorage;

async function run(): Promise<AppReport> {
  const warnings: string[] = [];
  const errors: string[] = [];
  const text = (args: unknown[]): string => args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
  const logger: Logger = { debug() {}, info() {}, warn: (...a: unknown[]) => void warnings.push(text(a)), error: (...a: unknown[]) => void errors.push(text(a)) };
  const transport = recordingTransport();
  const hub = createHub({
    storage: AsyncStorage,
    logger,
    kits: [
      brazeKit({ apiKey: 'app-key', baseUrl: 'sdk.iad-01.braze.com', transport }),
      snowplowKit({ collectorUrl: 'https://collector.example.com', appId: 'rn-app', events: { song_played: 'iglu:com.acme/song_played/jsonschema/1-0-0' }, delivery: { transport } }),
      clevertapKit({ accountId: 'W9R-486-4W5Z', token: 'abc-def', region: 'eu1', os: 'iOS', delivery: { transport } }),
    ],
  });
  let started = false;
  await hub.start().then(() => (started = true));
  hub.logEvent('song_played', SONG);
  const sessionId = hub.getSession()?.id ?? null;
  hub.background();
  await hub.flush();
  await hub.shutdown();
  return {
    started,
    sessionId,
    deviceId: hub.getDeviceId(),
    warnings,
    errors,
    requests: transport.requests.map(({ url, body }) => ({ url, body })),
    stored: [...native().rows],
    nativeCalls: [...native().calls],
  };
}

(globalThis as unknown as { runApp: typeof run }).runApp = run;
/** The same, for an entry that imports it (the package has no side effects: an import for them alone is dropped). */
export const runApp = run;
