/**
 * A React Native app as the bare-runtime smoke test runs it (see hermes-runtime.test.ts): the built
 * packages, bundled for a neutral platform, with an AsyncStorage-like store and a recording
 * transport. It exposes one function on the global object; the test calls it inside the context.
 */
import { createHub, type Logger } from '@sessionhub/core';
import { brazeKit } from '@sessionhub/kit-braze';
import { clevertapKit } from '@sessionhub/kit-clevertap';
import { snowplowKit } from '@sessionhub/kit-snowplow';
import { recordingTransport } from '@sessionhub/testing';

/** What one run of the app reports to the test. */
export interface AppReport {
  readonly started: boolean;
  readonly sessionId: string | null;
  readonly deviceId: string | null;
  readonly warnings: string[];
  readonly errors: string[];
  readonly requests: { url: string; body: string }[];
  readonly stored: Array<[string, string]>;
  /** The storage's multiGet / multiRemove calls, in order. */
  readonly multiCalls: string[];
}

/** AsyncStorage's shape: every call answers with a Promise; the hub reads and removes with its `multiGet` and `multiRemove`. */
function asyncStorage(map: Map<string, string>, calls: string[]) {
  return {
    getItem: async (key: string) => map.get(key) ?? null,
    setItem: async (key: string, value: string) => void map.set(key, value),
    removeItem: async (key: string) => void map.delete(key),
    multiGet: async (keys: readonly string[]) => (calls.push('multiGet'), keys.map((key) => [key, map.get(key) ?? null] as const)),
    multiRemove: async (keys: readonly string[]) => void (calls.push('multiRemove'), keys.forEach((key) => map.delete(key))),
  };
}

async function run(): Promise<AppReport> {
  const warnings: string[] = [];
  const errors: string[] = [];
  const text = (args: unknown[]): string => args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
  const logger: Logger = { debug() {}, info() {}, warn: (...a: unknown[]) => void warnings.push(text(a)), error: (...a: unknown[]) => void errors.push(text(a)) };
  const transport = recordingTransport();
  const stored = new Map<string, string>();
  const multiCalls: string[] = [];
  const hub = createHub({
    storage: asyncStorage(stored, multiCalls),
    logger,
    kits: [
      brazeKit({ apiKey: 'app-key', baseUrl: 'sdk.iad-01.braze.com', transport }),
      snowplowKit({ collectorUrl: 'https://collector.example.com', appId: 'rn-app', delivery: { transport } }),
      clevertapKit({ accountId: 'W9R-486-4W5Z', token: 'abc-def', region: 'eu1', os: 'iOS', delivery: { transport } }),
    ],
  });
  let started = false;
  await hub.start().then(() => (started = true));
  hub.logEvent('song_played', { genre: 'jazz' });
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
    stored: [...stored],
    multiCalls,
  };
}

(globalThis as unknown as { runApp: typeof run }).runApp = run;
