import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHub, memoryStorage, SessionHubConfigError, silentLogger, type StorageAdapter } from '@sessionhub/core';
import { createBrowserHub } from '@sessionhub/core/browser';
import { fakeOrigin, manualClock, recordingTransport, tabHubOptions } from '@sessionhub/testing';
import { webhookKit, WebhookKitConfigError } from './webhook-kit';
import type { WebhookBatch } from './webhook-mapping';

const URL_ = 'https://collect.example.com/sessions';
const received: WebhookBatch[] = [];
let answers: number[] = [];
const server = setupServer(
  http.post(URL_, async ({ request }) => {
    expect(request.headers.get('authorization')).toBe('Bearer s3cret');
    received.push((await request.json()) as WebhookBatch);
    return new HttpResponse(null, { status: answers.shift() ?? 200 });
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  received.length = 0;
  answers = [];
});
afterAll(() => server.close());

function app(storage: StorageAdapter = memoryStorage(), clock = manualClock(Date.UTC(2026, 0, 1, 9))) {
  const hub = createHub({ storage, clock: clock.now, logger: silentLogger, kits: [webhookKit({ url: URL_, token: 's3cret', flushIntervalMs: 3_600_000 })] });
  return { hub, clock, storage };
}

const items = () => received.flatMap((batch) => batch.items);

describe('webhookKit (the example of docs/writing-a-kit.md)', () => {
  it('posts a session as session_start, its events and session_end, in order, dated by the hub', async () => {
    const { hub, clock } = app();
    await hub.start();
    clock.advance(2_000);
    hub.logEvent('song_played', { genre: 'jazz' });
    hub.setSessionAttribute('level', 3);
    clock.advance(3_000);
    hub.background(); // kits flush on background
    clock.advance(60_000);
    hub.foreground(); // 60 s later: the session ended at its last activity, a new one starts
    await hub.flush();
    expect(items().map((i) => [i.type, i.at])).toEqual([
      ['session_start', '2026-01-01T09:00:00.000Z'],
      ['event', '2026-01-01T09:00:02.000Z'],
      ['session_end', '2026-01-01T09:00:05.000Z'],
      ['session_start', '2026-01-01T09:01:05.000Z'],
    ]);
    expect(items()[2]).toMatchObject({ durationMs: 5_000, reason: 'timeout', attributes: { level: 3 } });
    expect(received[0]!.deviceId).toBe(hub.getDeviceId());
    await hub.shutdown();
  });

  it('resends the very same items after a failed request, and delivers each once', async () => {
    const { hub } = app();
    await hub.start();
    hub.logEvent('a');
    answers = [503];
    await hub.flush(); // 503: kept for a retry
    expect(hub.getKitHealth().webhook?.delivery).toMatchObject({ queued: 2, delivered: 0, retried: 2 });
    await hub.flush(); // the retry
    expect(received).toHaveLength(2);
    expect(received[1]!.items).toEqual(received[0]!.items);
    expect(hub.getKitHealth().webhook?.delivery).toMatchObject({ queued: 0, delivered: 2 });
    await hub.shutdown();
  });

  it('loses nothing when the app is killed: the next launch ends the session and sends what was queued', async () => {
    // #region killed
    const storage = memoryStorage(); // stands in for the device's disk
    const clock = manualClock(Date.UTC(2026, 0, 1, 9));
    const first = app(storage, clock);
    await first.hub.start();
    clock.advance(1_000);
    first.hub.logEvent('song_played');
    await new Promise((resolve) => setImmediate(resolve)); // the queue is written…
    // …and the process dies: no shutdown, no flush.
    clock.advance(600_000);
    const second = app(storage, clock);
    await second.hub.start();
    await second.hub.flush();
    const sent = items();
    expect(sent.map((i) => i.type)).toEqual(['session_start', 'event', 'session_end', 'session_start']);
    expect(sent[2]).toMatchObject({ reason: 'recovered', at: '2026-01-01T09:00:01.000Z' });
    expect(new Set(sent.map((i) => i.id)).size).toBe(sent.length);
    // #endregion killed
    await second.hub.shutdown();
  });

  it.each([
    ['hub.clearStoredData()', (hub: ReturnType<typeof createHub>) => hub.clearStoredData()],
    ['an opt-out, then an opt-in', async (hub: ReturnType<typeof createHub>) => (await hub.setOptOut(true), await hub.setOptOut(false))],
  ])('never sends what was queued before %s', async (_, forget) => {
    const { hub } = app();
    await hub.start();
    hub.logEvent('visited_clinic', { clinic: 'oncology' });
    answers = [503];
    await hub.flush(); // the endpoint is down: the items stay queued
    await forget(hub);
    await hub.flush();
    expect(items().filter((i) => i.type == 'event' && i.name == 'visited_clinic')).toHaveLength(1); // the 503's request only
    expect(received.slice(1).flatMap((batch) => batch.items).filter((i) => i.type == 'event')).toEqual([]);
    await hub.shutdown();
  });

  it('sends what is queued with keepalive requests when the page goes (browser runtime)', async () => {
    const tab = fakeOrigin().openTab();
    const transport = recordingTransport();
    const hub = createBrowserHub({ ...tabHubOptions(tab), logger: silentLogger, kits: [webhookKit({ url: URL_, flushIntervalMs: 3_600_000, transport })] });
    await hub.start();
    hub.logEvent('song_played');
    await new Promise((resolve) => setImmediate(resolve));
    expect(transport.requests).toHaveLength(0);
    tab.close(); // pagehide: nothing asynchronous runs after it
    expect(transport.requests.map((r) => r.keepalive)).toEqual([true]);
    expect((JSON.parse(transport.requests[0]!.body) as WebhookBatch).items.map((i) => i.type)).toEqual(['session_start', 'event']);
  });

  it('refuses setup mistakes with a typed error that names the option', () => {
    expect(() => webhookKit({ url: 'ftp://example.com' })).toThrow(WebhookKitConfigError);
    expect(() => webhookKit({ url: URL_, flushIntervalMs: -1 })).toThrow(SessionHubConfigError);
    let thrown: unknown;
    try {
      webhookKit({ url: '' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(WebhookKitConfigError);
    expect((thrown as SessionHubConfigError).option).toBe('url');
  });
});
