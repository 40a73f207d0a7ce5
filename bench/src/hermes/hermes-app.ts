/**
 * The bench's workload inside a Hermes CLI (`pnpm bench hermes`): the hub and the kits a settings
 * line names, on memory storage, events one per turn of the event loop, sessions of 25 rolling over,
 * every payload acknowledged at once. Prints one JSON line per measured round. Bundled by
 * speed/hermes-hub.ts, which prepends `globalThis.HERMES_BENCH = {...}`.
 *
 * The Hermes CLI is not React Native: it has no `console`, `setInterval` or `queueMicrotask`, and it
 * runs a `setTimeout` callback as soon as its job queue is empty, whatever the delay (every request
 * would time out at once). So the timers here wait for their due time, as React Native's do.
 */
import { createHub, memoryStorage, silentLogger, type SessionHub } from '@sessionhub/core';
import { brazeKit } from '@sessionhub/kit-braze';
import { clevertapKit } from '@sessionhub/kit-clevertap';
import { snowplowKit } from '@sessionhub/kit-snowplow';

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

// Timers that wait for their due time, polled from the CLI's own (immediate) setTimeout. The poll
// runs between every two events while a timer is pending, so it is kept cheap (no copy of the map, no
// destructuring, which React Native's Babel preset lowers to a helper call): its cost is the bench's,
// not the hub's. React Native's own timers cost a native call per setTimeout instead.
const immediate = g.setTimeout as (f: () => void, ms: number) => unknown;
const due = new Map<number, { at: number; f: () => void }>();
let nextId = 1;
let polling = false;
let done = false;
const poll = (): void => {
  polling = false;
  const now = Date.now();
  // Only timers set before this poll: one set by a callback here waits for the next.
  const last = nextId;
  for (const id of due.keys()) {
    if (id >= last) break;
    const timer = due.get(id)!;
    if (timer.at <= now) due.delete(id), timer.f();
  }
  if (due.size && !done) (polling = true), immediate(poll, 0);
};
g.setTimeout = (f: () => void, ms = 0): number => {
  const id = nextId++;
  due.set(id, { at: Date.now() + ms, f });
  if (!polling) (polling = true), immediate(poll, 0);
  return id;
};
g.clearTimeout = (id: number): void => void due.delete(id);
g.setInterval = (f: () => void, ms: number): { id?: number } => {
  const box: { id?: number } = {};
  const tick = (): void => void ((box.id = g.setTimeout(tick, ms)), f());
  box.id = g.setTimeout(tick, ms);
  return box;
};
g.clearInterval = (box?: { id?: number }): void => box && g.clearTimeout(box.id);
g.queueMicrotask ??= (f: () => void) => void Promise.resolve().then(f);
g.console ??= { log() {}, debug() {}, info() {}, warn() {}, error() {} };

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
  done = true;
  await hub.shutdown();
}

main().catch((e: unknown) => print(JSON.stringify({ error: String((e as Error)?.stack ?? e) })));
