/** Delivery through the shared outbox to the msw Snowplow collector of @sessionhub/testing, faults included. */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHub, memoryStorage, silentLogger } from '@sessionhub/core';
import type { HttpRequest } from '@sessionhub/delivery';
import { dyingStorage, manualClock, manualLifecycle, manualTimers, settle, storedView, type CollectedRequest } from '@sessionhub/testing';
import { vendorCollector } from '@sessionhub/testing/msw';
import { snowplowKit, type SnowplowKitOptions } from '@sessionhub/kit-snowplow';
import { acceptedEvents } from './harness';
import { clientSession, decodeTrackerRequest } from './iglu-validator';

const COLLECTOR = 'https://collector.snowplow.test';
const collector = vendorCollector({ origins: { snowplow: COLLECTOR } });
const server = setupServer(...collector.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => collector.reset());
afterAll(() => server.close());

const asRequest = (r: CollectedRequest): HttpRequest => ({ url: r.url, method: r.method as 'POST', headers: r.headers, body: r.rawBody });
const decodedOf = (requests: readonly CollectedRequest[]) => requests.map((r) => ({ events: decodeTrackerRequest(asRequest(r)), accepted: r.accepted }));

function setup(options: Partial<SnowplowKitOptions> = {}) {
  const clock = manualClock();
  const timers = manualTimers(clock);
  const lifecycle = manualLifecycle('foreground');
  const kit = snowplowKit({ collectorUrl: COLLECTOR, appId: 'collector-test', ...options, delivery: { timers, random: () => 0.5, ...options.delivery } });
  const hub = createHub({ clock: clock.now, logger: silentLogger, storage: dyingStorage(), lifecycle, kits: [kit] });
  /** Lets time pass (timers fire, requests complete) until the kit has nothing queued. */
  const drain = async (): Promise<void> => {
    for (let i = 0; i < 200 && (hub.getKitHealth().snowplow?.delivery?.queued ?? 1) > 0; i++) {
      await timers.advance(1000);
      await settle();
    }
  };
  return { clock, timers, lifecycle, hub, drain };
}

describe('delivery to the Snowplow collector (msw)', () => {
  it('POSTs valid payload_data to /com.snowplowanalytics.snowplow/tp2 with the default fetch transport', async () => {
    const { hub, lifecycle } = setup({ events: { song_played: 'iglu:com.acme/song_played/jsonschema/1-0-0' } });
    await hub.start();
    hub.logEvent('song_played', { genre: 'jazz' });
    hub.logEvent('tap', { label: 'next' });
    lifecycle.background(); // sends at once, with requests that outlive the page (keepalive)
    await collector.until((r) => r.length > 0);
    // hub.flush() does not wait for a keepalive request already under way: wait for its answer.
    for (let i = 0; i < 100 && (hub.getKitHealth().snowplow?.delivery?.queued ?? 1) > 0; i++) await settle();
    const received = collector.received('snowplow');
    expect(received.every((r) => r.method === 'POST' && r.path === '/com.snowplowanalytics.snowplow/tp2')).toBe(true);
    expect(received[0]!.headers['content-type']).toBe('application/json; charset=utf-8');
    const events = [...acceptedEvents(decodedOf(received)).values()];
    expect(events.map((e) => e.event?.schema.split('/')[1] ?? e.item.se_ac)).toEqual(['session_start', 'application_foreground', 'song_played', 'tap', 'application_background']);
    expect(new Set(events.map((e) => clientSession(e)!.sessionId)).size).toBe(1);
    expect(hub.getKitHealth().snowplow?.delivery).toMatchObject({ delivered: 5, queued: 0, retried: 0 });
    await hub.shutdown();
  });

  it('retries a failed POST with the same events and a new stm (the send time of each attempt)', async () => {
    const { hub, clock, drain } = setup();
    collector.failNext({ type: 'status', status: 500 });
    collector.failNext({ type: 'network-error' });
    await hub.start();
    hub.logEvent('tap', { label: 'a' });
    hub.logEvent('tap', { label: 'b' });
    const firstSend = clock.now();
    await hub.flush();
    await drain();
    const received = collector.received('snowplow');
    expect(received.map((r) => r.fault)).toEqual(['status 500', 'network error', null]);
    const attempts = decodedOf(received);
    const ids = attempts.map((a) => a.events.map((e) => e.item.eid));
    expect(ids[1]).toEqual(ids[0]);
    expect(ids[2]).toEqual(ids[0]);
    const stm = attempts.map((a) => Number(a.events[0]!.item.stm));
    expect(stm[0]).toBe(firstSend);
    expect(stm[1]).toBeGreaterThan(stm[0]!);
    expect(stm[2]).toBeGreaterThan(stm[1]!);
    // Only stm changed between attempts.
    const strip = (a: (typeof attempts)[number]) => a.events.map(({ item: { stm: _, ...rest } }) => rest);
    expect(strip(attempts[2]!)).toEqual(strip(attempts[0]!));
    expect(hub.getKitHealth().snowplow?.delivery).toMatchObject({ delivered: 4, retried: 8, queued: 0 });
    await hub.shutdown();
  });

  it('a refused POST (400, which a Snowplow tracker does not retry either) is dropped and counted', async () => {
    const { hub } = setup();
    collector.failNext({ type: 'status', status: 400 });
    await hub.start();
    hub.logEvent('tap');
    await hub.flush();
    expect(hub.getKitHealth().snowplow?.delivery).toMatchObject({ queued: 0, delivered: 0, dropped: { rejected: 3 } });
    await hub.shutdown();
  });

  it('batches fit Snowplow: at most 25 events and 40 000 bytes per POST', async () => {
    const { hub, drain } = setup({ events: { song_played: 'iglu:com.acme/song_played/jsonschema/1-0-0' } });
    await hub.start();
    for (let i = 0; i < 120; i++) hub.logEvent('song_played', { i, lyrics: 'la '.repeat(i % 3 === 0 ? 1500 : 10) + 'ü€' });
    await hub.flush();
    await drain();
    const received = collector.received('snowplow');
    for (const r of received) {
      const n = (r.body as { data: unknown[] }).data.length;
      expect(n).toBeLessThanOrEqual(25);
      expect(Buffer.byteLength(r.rawBody)).toBeLessThanOrEqual(40_000);
    }
    expect(received.some((r) => Buffer.byteLength(r.rawBody) > 30_000)).toBe(true);
    const events = acceptedEvents(decodedOf(received));
    expect([...events.values()].filter((e) => e.event?.schema === 'iglu:com.acme/song_played/jsonschema/1-0-0').map((e) => (e.event!.data as { i: number }).i)).toEqual(
      Array.from({ length: 120 }, (_, i) => i),
    );
    await hub.shutdown();
  });

  it('under 30 % random failures every event arrives, once per event id, with its session', async () => {
    collector.setFaults({ failureRate: 0.3, seed: 11, mix: [{ type: 'status', status: 500 }, { type: 'status', status: 503, retryAfter: 2 }, { type: 'network-error' }] });
    const { hub, clock, lifecycle, drain } = setup({ delivery: { flushIntervalMs: 2000 } });
    const ids: string[] = [];
    hub.on('event', (e) => ids.push(e.eventId));
    await hub.start();
    for (let i = 0; i < 300; i++) {
      hub.logEvent('tap', { value: i });
      if (i % 10 === 9) await (clock.advance(700), settle());
      if (i % 50 === 49) lifecycle.background(), clock.advance(90_000), lifecycle.foreground();
    }
    await hub.flush();
    await drain();
    const received = collector.received('snowplow');
    // (The collector's faults are seeded: the same requests fail on every run.)
    const failed = received.filter((r) => !r.accepted);
    expect(failed.length).toBeGreaterThanOrEqual(3);
    expect(new Set(failed.map((r) => r.fault)).size).toBeGreaterThanOrEqual(2);
    expect(hub.getKitHealth().snowplow?.delivery?.retried).toBeGreaterThan(0);
    const delivered = acceptedEvents(decodedOf(received));
    expect(ids.every((id) => delivered.has(id))).toBe(true);
    const taps = [...delivered.values()].filter((e) => e.item.se_ac === 'tap');
    expect(taps.map((e) => Number(e.item.se_va))).toEqual(Array.from({ length: 300 }, (_, i) => i));
    // A new session after each 90 s background: 6 with taps, numbered from 1 in each.
    const bySession = new Map<unknown, number[]>();
    for (const t of taps) {
      const cs = clientSession(t)!;
      bySession.set(cs.sessionIndex, [...(bySession.get(cs.sessionIndex) ?? []), cs.eventIndex as number]);
    }
    expect([...bySession.keys()]).toEqual([1, 2, 3, 4, 5, 6]);
    for (const indexes of bySession.values()) expect(indexes).toEqual(Array.from({ length: indexes.length }, (_, i) => i + 1));
    await hub.shutdown();
  });

  it('stores each item as the JSON it is sent as (serialized once), and still sends items stored JSON-encoded twice by 0.1.0', async () => {
    const backend = new Map<string, string>();
    const storage = memoryStorage();
    const spy = { getItem: (k: string) => storage.getItem(k), setItem: (k: string, v: string) => (backend.set(k, v), storage.setItem(k, v)), removeItem: (k: string) => (backend.delete(k), storage.removeItem(k)) };
    const clock = manualClock();
    const down = snowplowKit({ collectorUrl: COLLECTOR, appId: 'upgrade', delivery: { transport: async () => ({ status: 503 }), timers: manualTimers(clock) } });
    const first = createHub({ clock: clock.now, logger: silentLogger, storage: spy, kits: [down] });
    await first.start();
    first.logEvent('tap', { label: 'next' });
    first.logEvent('tap', { label: 'back' });
    await first.shutdown();
    // Stored as 0.1.0 stored them, one key each (which the hub still reads), to rewrite some as 0.1.0 wrote them.
    const view = storedView(backend);
    const items = [...view].filter(([k]) => /:kit:snowplow:outbox:\d+$/.test(k));
    expect(items.length).toBeGreaterThanOrEqual(3);
    const payloads: string[] = [];
    for (const [key, value] of items) {
      // As sent, minus stm: the item is its JSON object, not a string of it.
      const { at, keep, item } = JSON.parse(value) as { at: number; keep?: 1; item: Record<string, string> };
      expect(typeof item).toBe('object');
      // The session's start and end are marked to keep when storage is full; the app's events are not.
      expect(value).toBe(`{"at":${at}${keep ? ',"keep":1' : ''},"item":${JSON.stringify(item)}}`);
      expect(!!keep).toBe(!JSON.stringify(item).includes('tap'));
      payloads.push(JSON.stringify(item));
      // What 0.1.0 wrote: the item's JSON text, JSON-encoded once more.
      if (payloads.length % 2) view.set(key, JSON.stringify({ at, item: JSON.stringify(item) }));
    }
    const bodies: string[] = [];
    const up = snowplowKit({ collectorUrl: COLLECTOR, appId: 'upgrade', delivery: { transport: async (r) => (bodies.push(r.body!), { status: 200 }) } });
    const second = createHub({ clock: clock.now, logger: silentLogger, storage: memoryStorage(view), kits: [up] });
    await second.start();
    await second.flush();
    const sent = bodies.flatMap((b) => (JSON.parse(b) as { data: Record<string, string>[] }).data);
    const { stm: _, ...firstSent } = sent[0]!;
    expect(JSON.stringify(firstSent)).toBe(payloads[0]);
    expect(sent.slice(0, payloads.length).map(({ stm: _stm, ...rest }) => JSON.stringify(rest))).toEqual(payloads);
    await second.shutdown();
  });
});
