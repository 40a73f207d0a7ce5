import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHub, type SessionHub } from '@sessionhub/core';
import { dyingStorage, settle, storedView, type CollectedRequest, type DyingStorage } from '@sessionhub/testing';
import { vendorCollector } from '@sessionhub/testing/msw';
import { brazeKit, type BrazeRequestBody } from '@sessionhub/kit-braze';

// Delivery through the shared outbox and the real fetch transport, against the msw Braze collector.

const BRAZE = 'https://sdk.iad-01.braze.com';
const collector = vendorCollector({ origins: { braze: BRAZE } });
const server = setupServer(...collector.handlers);
const quiet = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
beforeEach(() => {
  // Date is faked too: the hub's clock and the outbox's waits move with the fake timers.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.setSystemTime(Date.UTC(2026, 0, 1, 12));
});
afterEach(() => {
  collector.reset();
  vi.useRealTimers();
});
afterAll(() => server.close());

function newHub(storage: DyingStorage = dyingStorage()): SessionHub {
  return createHub({
    clock: () => Date.now(),
    storage,
    logger: quiet,
    kits: [brazeKit({ apiKey: 'api-key-1', baseUrl: 'sdk.iad-01.braze.com', appVersion: '2.4.1' })],
  });
}

const bodyOf = (r: CollectedRequest): BrazeRequestBody => r.body as BrazeRequestBody;

/** Moves time on in steps until `done()` (the outbox's retry timers fire as time passes). */
async function advanceUntil(done: () => boolean, stepMs = 250, limitMs = 600_000): Promise<void> {
  for (let waited = 0; !done(); waited += stepMs) {
    if (waited > limitMs) throw new Error('gave up waiting');
    await vi.advanceTimersByTimeAsync(stepMs);
  }
}

describe('Braze kit delivery (msw collector)', () => {
  it('posts the Web SDK request: endpoint, headers and body', async () => {
    const hub = newHub();
    await hub.start();
    await hub.flush();
    hub.setUser('ada');
    hub.logEvent('song_played', { genre: 'jazz' });
    await hub.flush();
    const [request, next] = collector.accepted('braze');
    expect(request).toBeDefined();
    expect(request!.url).toBe(`${BRAZE}/api/v3/data/`);
    expect(request!.method).toBe('POST');
    expect(request!.headers).toMatchObject({
      'content-type': 'application/json',
      'x-requested-with': 'XMLHttpRequest',
      'x-braze-api-key': 'api-key-1',
      'x-braze-last-req-ms-ago': '7200000',
      'x-braze-req-attempt': '1',
    });
    expect(request!.headers['x-braze-datarequest']).toBeUndefined();
    const body = bodyOf(request!);
    expect(body).toMatchObject({ api_key: 'api-key-1', time: Math.floor(Date.now() / 1000), sdk_version: '6.13.0', app_version: '2.4.1', device_id: hub.getDeviceId() });
    // The session start goes at once, with the device; the next request after the sign-in carries the device again.
    expect(body.events.map((e) => e.name)).toEqual(['ss']);
    expect(body.device).toBeDefined();
    expect(bodyOf(next!).events.map((e) => [e.name, e.user_id])).toEqual([['ce', 'ada']]);
    expect(bodyOf(next!)).toMatchObject({ device: body.device, respond_with: { user_id: 'ada', config: { config_time: 0 } } });
    expect(next!.headers['x-braze-last-req-ms-ago']).toBe('7200000'); // reset by the user change, as the Web SDK does
  });

  it('sends on background with a request that outlives the page (fetch keepalive)', async () => {
    const hub = newHub();
    await hub.start();
    await hub.flush(); // the session start
    hub.logEvent('a');
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    hub.background();
    await advanceUntil(() => collector.accepted('braze').length === 2, 10, 1000);
    expect(bodyOf(collector.accepted('braze')[1]!).events.map((e) => e.name)).toEqual(['ce']);
    expect(fetchSpy.mock.calls.map(([, init]) => init?.keepalive)).toEqual([true]);
    fetchSpy.mockRestore();
    expect(hub.getKitHealth().braze!.delivery).toMatchObject({ queued: 0, delivered: 3 });
  });

  it('retries a 500 and a dropped connection with the same events, re-stamping time and counting attempts', async () => {
    const hub = newHub();
    await hub.start();
    await hub.flush(); // the session start
    collector.reset();
    hub.logEvent('a');
    collector.failNext({ type: 'status', status: 500 });
    collector.failNext({ type: 'network-error' });
    await hub.flush();
    await advanceUntil(() => collector.accepted('braze').length === 1);
    const all = collector.received('braze');
    expect(all.map((r) => r.status)).toEqual([500, null, 200]);
    expect(all.map((r) => r.headers['x-braze-req-attempt'])).toEqual(['1', '2', '3']);
    // The same events each time; the body time is the send time of each attempt.
    const events = all.map((r) => JSON.stringify(bodyOf(r).events));
    expect(new Set(events).size).toBe(1);
    expect(all.map((r) => bodyOf(r).time)).toEqual(all.map((r) => Math.floor(r.receivedAt / 1000)));
    expect(Number(all[2]!.headers['x-braze-last-req-ms-ago'])).toBe(all[2]!.receivedAt - all[1]!.receivedAt);
    expect(hub.getKitHealth().braze!.delivery).toMatchObject({ queued: 0, delivered: 3, retried: 2, dropped: {} });
  });

  it('waits out a 429 Retry-After before resending, even when flushed meanwhile', async () => {
    const hub = newHub();
    await hub.start();
    hub.logEvent('a');
    collector.failNext({ type: 'status', status: 429, retryAfter: 30 });
    await hub.flush();
    const first = collector.received('braze')[0]!;
    expect(first.status).toBe(429);
    await vi.advanceTimersByTimeAsync(29_000);
    hub.logEvent('b');
    await hub.flush(); // an explicit flush skips our backoff, never the vendor's Retry-After
    expect(collector.received('braze')).toHaveLength(1);
    await advanceUntil(() => collector.accepted('braze').length === 1);
    const retry = collector.accepted('braze')[0]!;
    expect(retry.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(30_000);
    expect(retry.headers['x-braze-req-attempt']).toBe('2');
    expect(bodyOf(retry).events.map((e) => e.name)).toEqual(['ss', 'ce', 'ce']);
  });

  it('drops a batch Braze refuses (400) instead of retrying it for ever, and counts it', async () => {
    const hub = newHub();
    await hub.start();
    await hub.flush(); // the session start
    hub.logEvent('a');
    collector.failNext({ type: 'status', status: 400, body: '{"error":"bad"}' });
    await hub.flush();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(collector.received('braze')).toHaveLength(2);
    // Queued: the session's end, by the 60 s timeout (no lifecycle adapter: the session timeout applies).
    expect(hub.getKitHealth().braze!.delivery).toMatchObject({ queued: 1, dropped: { rejected: 1 }, lastError: 'HTTP 400' });
  });

  it('drops a batch Braze refuses with 200 {"error": "invalid_api_key"}, with one warning that says what to check', async () => {
    const warn = vi.fn();
    const hub = createHub({ clock: () => Date.now(), logger: { ...quiet, warn }, kits: [brazeKit({ apiKey: 'wrong-key', baseUrl: 'sdk.iad-01.braze.com' })] });
    collector.failNext({ type: 'status', status: 200, body: '{"error":"invalid_api_key"}' }, { times: 3 });
    await hub.start();
    await hub.flush();
    for (const name of ['a', 'b']) {
      hub.logEvent(name);
      await hub.flush();
    }
    await vi.advanceTimersByTimeAsync(60_000);
    expect(collector.received('braze')).toHaveLength(3); // never resent
    // Queued: the session's end, by the 60 s timeout (no lifecycle adapter: the session timeout applies).
    expect(hub.getKitHealth().braze!.delivery).toMatchObject({ queued: 1, delivered: 0, retried: 0, dropped: { rejected: 4 } });
    expect(hub.getKitHealth().braze!.delivery!.lastError).toContain('apiKey "wrong-key" is not an app of https://sdk.iad-01.braze.com/api/v3; check apiKey and baseUrl');
    expect(warn.mock.calls.filter((args) => args.join(' ').includes('invalid_api_key'))).toHaveLength(1);
  });

  it('after a force-quit the next launch sends what was left and the recovered se at the last activity', async () => {
    collector.failNext({ type: 'network-error' }, { times: 100 }); // offline for the whole first run
    const storage = dyingStorage();
    const first = newHub(storage);
    await first.start();
    const session = first.getSession()!;
    await vi.advanceTimersByTimeAsync(4000);
    first.logEvent('a');
    await settle();
    storage.kill(); // the app is killed; nothing after this is persisted
    await first.shutdown(); // and runs no more (its last attempt fails: still offline)
    collector.reset();

    await vi.advanceTimersByTimeAsync(3_600_000);
    const second = newHub(storage.survivor());
    await second.start();
    await second.flush();
    const events = collector.accepted('braze').flatMap((r) => bodyOf(r).events);
    expect(events.map((e) => `${e.name}:${e.session_id === session.id ? 'old' : 'new'}`)).toEqual(['ss:old', 'ce:old', 'se:old', 'ss:new']);
    const se = events[2]!;
    expect(se.time).toBe(session.startTime / 1000 + 4);
    expect(se.data).toEqual({ d: 4 });
  });
  it('items queued before hub.reset() go out under the old device id, the new session under the new one, never in one request', async () => {
    collector.failNext({ type: 'network-error' }, { times: 1000 }); // offline through the reset and the next launch
    const storage = dyingStorage();
    const first = newHub(storage);
    await first.start();
    const oldDevice = first.getDeviceId()!;
    first.setUser('ada');
    first.logEvent('before');
    await first.reset(); // its flush fails: ada's items stay queued
    const newDevice = first.getDeviceId()!;
    expect(newDevice).not.toBe(oldDevice);
    first.logEvent('after');
    await settle();
    // Stored as the previous version stored them until a reset: only items of another device carry one.
    const stored = [...storedView(storage.snapshot()).values()].join();
    expect(stored.split(`"d":"${newDevice}"`).length).toBeGreaterThan(1);
    expect(stored).not.toContain(`"d":"${oldDevice}"`);
    await first.shutdown();
    collector.reset(); // online again

    const survivor = storage.survivor(); // what was stored, loaded by the next launch
    const second = newHub(survivor);
    await second.start();
    await second.flush();
    const requests = collector.accepted('braze').map(bodyOf);
    const sent = requests.map((body) => body.events.map((e) => `${e.name}:${e.name == 'ce' ? (e.data as { n?: string }).n : e.user_id ?? '-'}`).join(' ') + ` @${body.device_id == oldDevice ? 'old' : body.device_id == newDevice ? 'new' : body.device_id}`);
    // ada's events (her session's end included) under the old id; the device info again, and the sessions after, under the new one.
    const old = sent.filter((line) => line.endsWith('@old')).join(' ');
    const renewed = sent.filter((line) => line.endsWith('@new')).join(' ');
    expect(old).toContain('ce:before');
    expect(old).toContain('se:ada');
    expect(old).not.toContain('ce:after');
    expect(renewed).toContain('ce:after');
    expect(renewed).not.toMatch(/ada|before/);
    expect(sent.every((line) => line.endsWith('@old') || line.endsWith('@new'))).toBe(true);
    // The new device's first request carries its device info, as a new install's does.
    expect(requests.find((body) => body.device_id == newDevice)!.device).toBeDefined();

    // Once nothing of the old device is left, the launch after forgets its id, and items stop naming theirs.
    await second.shutdown();
    expect([...storedView(survivor.snapshot()).values()].join()).toContain(oldDevice); // sent, not yet forgotten
    const last = survivor.survivor();
    const third = newHub(last);
    await third.start();
    third.logEvent('later');
    await settle();
    const kept = [...storedView(last.snapshot()).values()].join();
    expect(kept).not.toContain(oldDevice);
    expect(kept).toContain('"later"');
    expect(kept).not.toContain('"d":');
    await third.shutdown();
  });

  it('items a previous version stored (no device id of their own) go out under the device id they had', async () => {
    collector.failNext({ type: 'network-error' }, { times: 100 });
    const storage = dyingStorage();
    const first = newHub(storage);
    await first.start();
    const device = first.getDeviceId()!;
    first.logEvent('a');
    await settle();
    await first.shutdown();
    // The previous version's stored form: the Web SDK's event (or the device) and nothing else.
    const items = [...storedView(storage.snapshot()).values()].filter((value) => value.includes('"event":') || value.includes('"device":{'));
    expect(items.length).toBeGreaterThan(0);
    expect(items.join()).not.toContain('"d":');
    collector.reset();

    const second = newHub(storage.survivor());
    await second.start();
    await second.flush();
    const requests = collector.accepted('braze').map(bodyOf);
    expect(requests.flatMap((body) => body.events.map((e) => e.name))).toEqual(['ss', 'ce', 'se', 'ss']);
    expect(requests.map((body) => body.device_id)).toEqual(requests.map(() => device));
  });
});
