/**
 * The bench's workload inside a Hermes CLI (`pnpm bench hermes`): the hub and the kits a settings
 * line names, on memory storage, events one per turn of the event loop, sessions of 25 rolling over,
 * every payload acknowledged at once. Prints one JSON line per measured round. Bundled by
 * speed/hermes-hub.ts, which prepends `globalThis.HERMES_BENCH = {...}`.
 *
 * The Hermes CLI is not React Native: it has no `console`, `setInterval` or `queueMicrotask`, and it
 * runs a `setTimeout` callback as soon as its job queue is empty, whatever the delay (every request
 * would time out at once). scripts/hermes-host.ts supplies them as React Native's behave.
 */
import { createHub, memoryStorage, silentLogger, type SessionHub } from '@sessionhub/core';
import { brazeKit } from '@sessionhub/kit-braze';
import { clevertapKit } from '@sessionhub/kit-clevertap';
import { snowplowKit } from '@sessionhub/kit-snowplow';
import { installReactNativeGlobals } from '../../../scripts/hermes-host';

declare const print: (...a: unknown[]) => void;
interface Settings {
  readonly kits: readonly string[];
  readonly encodeBase64: boolean;
  /** `none`: a storage whose commit returns at once (what the storage costs, by difference). */
  readonly storage: 'memory' | 'none';
  readonly warmup: number;
  readonly events: number;
  readonly rounds: number;
}
interface HermesStats {
  js_totalAllocatedBytes: number;
  js_numGCs: number;
}
const g = globalThis as unknown as Record<string, any>;
const settings = g.HERMES_BENCH as Settings;
const stats = (): HermesStats => g.HermesInternal.getInstrumentedStats() as HermesStats;

// One turn of the event loop: the CLI's own setTimeout, which runs its callback once the job queue is empty.
const immediate = g.setTimeout as (f: () => void, ms: number) => unknown;
// React Native's timers, microtask queue and console over it.
const host = installReactNativeGlobals();

const ATTRIBUTES = Object.freeze({ genre: 'jazz', track: 'So What', duration_s: 562, premium: true });

async function main(): Promise<void> {
  let now = 1_700_000_000_000;
  const transport = () => Promise.resolve({ status: 200 });
  const kits = [];
  if (settings.kits.includes('braze')) kits.push(brazeKit({ apiKey: 'bench-api-key', baseUrl: 'sdk.iad-01.braze.com', transport }));
  if (settings.kits.includes('clevertap')) kits.push(clevertapKit({ accountId: 'W9R-486-4W5Z', token: 'bench-token', delivery: { transport } }));
  if (settings.kits.includes('snowplow')) {
    kits.push(
      snowplowKit({
        collectorUrl: 'https://collector.example.com',
        appId: 'bench',
        events: { song_played: 'iglu:com.acme/song_played/jsonschema/1-0-0' },
        encodeBase64: settings.encodeBase64,
        delivery: { transport },
      }),
    );
  }
  const nothing = { getItem: () => null, setItem() {}, removeItem() {}, commit() {} };
  const storage = settings.storage == 'none' ? nothing : memoryStorage();
  const hub: SessionHub = createHub({ clock: () => now, logger: silentLogger, sessionTimeout: 60, storage, kits });
  await hub.start();
  const turn = (): Promise<void> => new Promise((resolve) => void immediate(resolve, 0));
  let logged = 0;
  const run = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      if (logged > 0 && logged % 25 === 0) {
        hub.background();
        now += 120_000;
        hub.foreground();
      } else now += 1000;
      logged++;
      hub.logEvent('song_played', ATTRIBUTES);
      await turn();
    }
    await hub.flush();
  };
  await run(settings.warmup);
  for (let r = 0; r < settings.rounds; r++) {
    const before = stats();
    const t = Date.now();
    await run(settings.events);
    const ms = Date.now() - t;
    const after = stats();
    let delivered = 0;
    let queued = 0;
    for (const h of Object.values(hub.getKitHealth())) (delivered += h.delivery?.delivered ?? 0), (queued += h.delivery?.queued ?? 0);
    print(JSON.stringify({ us: (ms * 1000) / settings.events, bytes: (after.js_totalAllocatedBytes - before.js_totalAllocatedBytes) / settings.events, gcs: after.js_numGCs - before.js_numGCs, delivered, queued }));
  }
  await hub.shutdown();
  // (Nothing left to wait for: a timer still pending would keep the VM polling.)
  host.stop();
}

main().catch((e: unknown) => print(JSON.stringify({ error: String((e as Error)?.stack ?? e) })));
