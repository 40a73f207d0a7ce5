import { createHub, silentLogger } from '@sessionhub/core';
import { manualClock } from '@sessionhub/testing';
import { brazeKit } from '@sessionhub/kit-braze';
import { clevertapKit } from '@sessionhub/kit-clevertap';
import { snowplowKit } from '@sessionhub/kit-snowplow';
const map = new Map(); let batch = [], trips = 0, ops = [];
const call = (label, run) => new Promise((res) => { if (!batch.length) setTimeout(() => { const a = batch; batch = []; trips++; a.forEach((f) => f()); }, 0); ops.push([trips, label]); batch.push(() => res(run())); });
const storage = { getItem: (k) => call('get ' + k, () => map.get(k) ?? null), setItem: (k, v) => (marks.forEach((m, i) => { if (m.done === undefined && v.includes(m.tag)) m.done = trips; }), call('set ' + k, () => void map.set(k, v))), removeItem: (k) => call('rm ' + k, () => void map.delete(k)) };
let down = true; const marks = [];
const transport = () => Promise.resolve({ status: down ? 503 : 200 });
const clock = manualClock();
const hub = createHub({ clock: clock.now, logger: { debug() {}, info() {}, warn: (...a) => console.log("WARN", ...a), error: (...a) => console.log("ERR", ...a) }, sessionTimeout: 60, storage, kits: [
  brazeKit({ apiKey: 'k', baseUrl: 'sdk.iad-01.braze.com', transport }),
  clevertapKit({ accountId: 'W9R-486-4W5Z', token: 't', delivery: { transport } }),
  snowplowKit({ collectorUrl: 'https://c.example.com', appId: 'b', events: { e: 'iglu:com.acme/e/jsonschema/1-0-0' }, delivery: { transport } }),
]});
const tick = async (n) => { for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 0)); };
await hub.start();
const N = +(process.argv[2] ?? 300);
for (let i = 0; i < N; i++) { clock.advance(1000); hub.logEvent('e', { i, pad: 'x'.repeat(100) }); await tick(3); }
await tick(50);
console.log('spills', [...map.keys()].filter((k) => k.includes('spill')).length, 'trips so far', trips);
down = false; ops = []; const t0 = trips;
// Events keep coming while the queue drains: how long does each event's commit wait?
let maxWait = 0;
for (let i = 0; i < 200; i++) {
  clock.advance(1000); marks.push({ tag: `"mark":"m${i}x"`, at: trips }); hub.logEvent('e', { mark: `m${i}x` });
  await tick(5);
}
await hub.flush(); await tick(100);
const waits = marks.map((m) => (m.done ?? 1e9) - m.at); waits.sort((a, b) => a - b);
console.log('event commit waits (round trips): median', waits[100], 'p90', waits[180], 'max', waits.at(-1));
console.log('drain: trips', trips - t0, 'ops', ops.length, 'spill reads', ops.filter(([, l]) => l.startsWith('get') && l.includes('spill')).length, 'max round trips for one flush', maxWait, 'queued', Object.values(hub.getKitHealth()).map((h) => h.delivery?.queued));
process.exit(0);
