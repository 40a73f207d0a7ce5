import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createHub, type SessionHub, type StorageAdapter } from '@sessionhub/core';
import { storedView } from '@sessionhub/testing';
// By path: the kits depend on core, so core does not list them.
import { brazeKit } from '../../kit-braze/src/index';
import { clevertapKit } from '../../kit-clevertap/src/index';
import { snowplowKit } from '../../kit-snowplow/src/index';

/**
 * Upgrading loses nothing: `fixtures/previous-layout.json` is what the previous version (the one
 * before segment keys; revision in the file) left in a key-by-key storage when the app was killed —
 * an open session and three kits' queues, one key per item. It was written by that version's own
 * code: `node scripts/previous-layout-fixture.mjs <revision>`.
 */
const fixture = JSON.parse(readFileSync(new URL('./fixtures/previous-layout.json', import.meta.url), 'utf8')) as {
  sessionId: string;
  killedAt: number;
  stored: Record<string, string>;
};

function app(map: Map<string, string>, now: number, sent: Array<{ url: string; body: string }>): SessionHub {
  const storage: StorageAdapter = { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
  const transport = async (r: { url: string; body?: string }) => (sent.push({ url: r.url, body: r.body ?? '' }), { status: 200 });
  return createHub({
    storage,
    clock: () => now,
    sessionTimeout: 60,
    logger: { debug() {}, info() {}, warn() {}, error: (...a: unknown[]) => void console.error(...a) },
    kits: [
      brazeKit({ apiKey: 'upgrade-api-key', baseUrl: 'sdk.iad-01.braze.com', transport }),
      snowplowKit({
        collectorUrl: 'https://collector.example.com',
        appId: 'upgrade',
        encodeBase64: false,
        catchAllSchema: 'iglu:dev.sessionhub.test/app_event/jsonschema/1-0-0',
        sessionEvents: { start: 'iglu:dev.sessionhub.test/session_start/jsonschema/1-0-0', end: 'iglu:dev.sessionhub.test/session_end/jsonschema/1-0-0' },
        delivery: { transport },
      }),
      clevertapKit({ accountId: 'TEST-000-0001', token: 'test-token', os: 'Android', sessionConcluded: true, delivery: { transport } }),
    ],
  });
}

/** Per vendor: the app events received, and how often the fixture's session started and ended. */
function tally(sent: Array<{ url: string; body: string }>) {
  const t = { braze: { events: [] as string[], ends: 0 }, snowplow: { events: [] as string[], ends: 0 }, clevertap: { events: [] as string[], ends: 0 } };
  for (const { url, body } of sent) {
    if (url.includes('braze')) {
      for (const e of (JSON.parse(body) as { events?: Array<{ name: string; session_id?: string; data: { n?: string } }> }).events ?? []) {
        if (e.name === 'ce') t.braze.events.push(e.data.n!);
        if (e.name === 'se' && e.session_id === fixture.sessionId) t.braze.ends++;
      }
    } else if (url.includes('collector.example.com')) {
      for (const p of (JSON.parse(body) as { data: Array<{ ue_pr?: string }> }).data) {
        const inner = (JSON.parse(p.ue_pr ?? '{}') as { data?: { schema: string; data: { name?: string; sessionId?: string } } }).data;
        if (inner?.schema.includes('/app_event/')) t.snowplow.events.push(inner.data.name!);
        if (inner?.schema.includes('/session_end/') && inner.data.sessionId === fixture.sessionId) t.snowplow.ends++;
      }
    } else {
      for (const item of (JSON.parse(body) as Array<{ type: string; evtName?: string; s?: number }>).slice(1)) {
        if (item.type !== 'event') continue;
        // CleverTap knows a session by its start (s, seconds): the fixture's started 4 s before the kill.
        if (item.evtName === 'Session Concluded' && item.s === (fixture.killedAt - 4000) / 1000) t.clevertap.ends++;
        else if (item.evtName?.startsWith('before_upgrade')) t.clevertap.events.push(item.evtName);
      }
    }
  }
  return t;
}

describe('upgrading from the key-per-item layout', () => {
  it('sends every queued item once and ends the open session once at every kit; what is stored moves into segment keys', async () => {
    const map = new Map(Object.entries(fixture.stored));
    expect([...map.keys()].filter((k) => /:outbox:\d+$/.test(k)).length).toBeGreaterThan(9);
    const sent: Array<{ url: string; body: string }> = [];
    // Relaunched ten minutes later: the session left open has timed out and is recovered.
    const hub = app(map, fixture.killedAt + 600_000, sent);
    await hub.start();
    await hub.flush();
    await hub.shutdown();
    const t = tally(sent);
    const before = ['before_upgrade_1', 'before_upgrade_2', 'before_upgrade_3'];
    for (const vendor of [t.braze, t.snowplow, t.clevertap]) {
      expect(vendor.events.filter((n) => n.startsWith('before_upgrade'))).toEqual(before);
      expect(vendor.ends).toBe(1);
    }
    // Nothing of the per-key layout is left: the hub's and the kits' keys are in segment keys now.
    expect([...map.keys()].filter((k) => !/^sessionhub:seg:\d+$/.test(k))).toEqual([]);
    expect(storedView(map).get('sessionhub:state')).toContain('"deviceId"');

    // A second launch sends none of it again.
    const again: Array<{ url: string; body: string }> = [];
    const next = app(map, fixture.killedAt + 1_200_000, again);
    await next.start();
    await next.flush();
    await next.shutdown();
    const t2 = tally(again);
    for (const vendor of [t2.braze, t2.snowplow, t2.clevertap]) expect([vendor.events.filter((n) => n.startsWith('before_upgrade')), vendor.ends]).toEqual([[], 0]);
  });
});
