import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHub, type HubOptions, type SessionHub } from '@sessionhub/core';
import { createCollector, manualClock, type Collector } from '@sessionhub/testing';
import { brazeKit, type BrazeKitOptions, type BrazeRequestBody, type BrazeSdkEvent } from '@sessionhub/kit-braze';
import { collectorTransport } from './collector-transport';

const SEC = 1000;

function spyLogger() {
  return { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
}
const lines = (fn: ReturnType<typeof vi.fn>): string[] => fn.mock.calls.map((args) => args.map(String).join(' '));

async function setup(kit: Partial<BrazeKitOptions> = {}, hub: HubOptions = {}) {
  const clock = manualClock();
  const collector: Collector = createCollector();
  const logger = spyLogger();
  const h = createHub({
    clock: clock.now,
    logger,
    sessionTimeout: 60,
    ...hub,
    kits: [brazeKit({ apiKey: 'api-key', baseUrl: 'sdk.iad-01.braze.com', transport: collectorTransport(collector), ...kit })],
  });
  const sent = () => {
    const bodies = collector.accepted('braze').map((r) => r.body as BrazeRequestBody);
    return { events: bodies.flatMap((b) => b.events) as BrazeSdkEvent[], bodies };
  };
  return { clock, collector, logger, hub: h, sent };
}

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
afterEach(() => vi.useRealTimers());

describe('brazeKit in a hub', () => {
  it('sends ss, ce and se with the canonical times in seconds, and the session length as d', async () => {
    const { clock, hub, sent } = await setup();
    await hub.start();
    const t0 = clock.now();
    const session = hub.getSession()!;
    clock.advance(2500);
    hub.logEvent('song_played', { genre: 'jazz', seconds: 212, liked: true, released: new Date(Date.UTC(2019, 4, 1)) });
    clock.advance(1250);
    hub.endSession();
    await hub.flush();
    expect(sent().events).toEqual([
      { name: 'ss', time: t0 / 1000, data: {}, session_id: session.id },
      {
        name: 'ce',
        time: (t0 + 2500) / 1000,
        data: { n: 'song_played', p: { genre: 'jazz', seconds: 212, liked: true, released: '2019-05-01T00:00:00' } },
        session_id: session.id,
      },
      { name: 'se', time: (t0 + 3750) / 1000, data: { d: 3.75 }, session_id: session.id },
    ]);
    // The ss goes at once (the kit flushes at a session start), once the launch's commit is saved: sent at t0.
    expect(sent().bodies[0]).toMatchObject({ api_key: 'api-key', sdk_version: '6.13.0', device_id: hub.getDeviceId(), time: Math.floor(t0 / 1000) });
  });

  it('drops properties Braze refuses with one warning per event, and never throws on odd values', async () => {
    const { hub, logger, sent } = await setup();
    await hub.start();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    hub.logEvent('checkout', { $price: 3, items: [1, 2], nested: circular, big: 10n, ok: 'yes' });
    hub.logEvent('$reserved');
    await hub.flush();
    const ce = sent().events.filter((e) => e.name === 'ce');
    expect(ce).toHaveLength(1);
    // A "$" key and nested values are Braze event properties (the Web SDK sends them); a cycle and a bigint are not JSON.
    expect(ce[0]!.data).toEqual({ n: 'checkout', p: { $price: 3, items: [1, 2], ok: 'yes' } });
    const warnings = lines(logger.warn);
    expect(warnings.filter((w) => w.includes('event "checkout"'))).toHaveLength(1);
    expect(warnings.find((w) => w.includes('event "checkout"'))).toMatch(/without "nested" \(value\), "big" \(value\):/);
    expect(warnings.filter((w) => w.includes('"$reserved" is not sent to Braze'))).toHaveLength(1);
    expect(hub.getKitHealth().braze).toMatchObject({ errors: 0, status: 'ready' });
  });

  it('setUser: events after carry the new user_id, and the device goes again with the first request after each sign-in', async () => {
    const { hub, sent } = await setup();
    await hub.start();
    const first = hub.getSession()!.id;
    hub.setUser('ada'); // anonymous -> identified: same session (Braze turns the anonymous profile into ada's)
    hub.logEvent('a');
    hub.setUser('ada'); // same id: nothing
    hub.setUser('bob'); // identified -> another: the session ends under ada, a new one starts under bob
    const second = hub.getSession()!.id;
    hub.logEvent('b');
    hub.setUser(null); // logout: new session, anonymous again
    hub.logEvent('c');
    await hub.flush();
    const { events, bodies } = sent();
    // The device: on the first request, and again after each change to an identified user (as Braze's changeUser).
    expect(bodies[0]!.device).toMatchObject({ time_zone: expect.any(String) });
    expect(bodies.filter((b) => b.device).length).toBeGreaterThan(1);
    expect(bodies.every((b) => !('attributes' in b))).toBe(true);
    const brief = events.map((e) => `${e.name}:${e.name === 'ce' ? (e.data as { n: string }).n : e.session_id === first ? 1 : e.session_id === second ? 2 : 3}:${e.user_id ?? '-'}`);
    expect(brief).toEqual(['ss:1:-', 'ce:a:ada', 'se:1:ada', 'ss:2:bob', 'ce:b:bob', 'se:2:bob', 'ss:3:-', 'ce:c:-']);
  });

  it.each([
    ['an opt-in after a launch opted out (consent-gated)', async (hub: SessionHub) => hub.setOptOut(false), { optOut: true }],
    ['clearStoredData()', (hub: SessionHub) => hub.clearStoredData(), {}],
    ['an opt-out and back in', async (hub: SessionHub) => (await hub.setOptOut(true), await hub.setOptOut(false)), {}],
  ] as const)('after %s, the next request carries the device again, as a new install\'s first', async (_, forget, options) => {
    const { hub, sent } = await setup({}, options);
    await hub.start();
    hub.logEvent('before');
    await hub.flush();
    const before = sent().bodies.length;
    await forget(hub);
    hub.logEvent('after');
    await hub.flush();
    const after = sent().bodies.slice(before);
    expect(after[0]!.device).toMatchObject({ time_zone: expect.any(String) });
    expect(after[0]!.device_id).toBe(hub.getDeviceId());
    // Once: the requests after it carry it no more.
    expect(after.slice(1).filter((b) => b.device)).toEqual([]);
  });

  it('sends the device fields of the device option in place of those it reads (Node: locale and time zone from Intl)', async () => {
    const { hub, sent } = await setup({ device: { os_version: 'iOS 18.1', time_zone: 'Europe/Paris' } });
    await hub.start();
    await hub.flush();
    const { locale } = Intl.DateTimeFormat().resolvedOptions();
    expect(sent().bodies[0]!.device).toEqual({ locale: locale.toLowerCase(), time_zone: 'Europe/Paris', os_version: 'iOS 18.1' });
  });

  it('a session-neutral event with no live session goes out without session_id and starts no Braze session', async () => {
    const { hub, sent } = await setup();
    await hub.start({ inBackground: true }); // a silent push woke the app: no session
    hub.logEvent('push_received', { campaign: 'c1' }, { affectsSession: false });
    await hub.flush();
    expect(sent().events).toEqual([{ name: 'ce', time: expect.any(Number), data: { n: 'push_received', p: { campaign: 'c1' } } }]);
    expect(hub.getSession()).toBeNull();
  });

  it("sessionAttributes: 'custom-event' sends the session's attributes as one event just before its se", async () => {
    const { clock, hub, sent } = await setup({ sessionAttributes: 'custom-event', sessionAttributesEventName: 'Session Summary' });
    await hub.start();
    hub.setSessionAttribute('level', 3);
    hub.incrementSessionAttribute('songs');
    hub.setSessionAttribute('$internal', 'x');
    clock.advance(5 * SEC);
    hub.endSession();
    hub.startNewSession(); // a session without attributes: no such event
    hub.endSession();
    await hub.flush();
    const names = sent().events.map((e) => (e.name === 'ce' ? (e.data as { n: string }).n : e.name));
    expect(names).toEqual(['ss', 'Session Summary', 'se', 'ss', 'se']);
    const [, summary, se] = sent().events;
    expect(summary).toMatchObject({ time: se!.time, session_id: se!.session_id, data: { p: { level: 3, songs: 1 } } });
  });

  it('leaves session attributes out by default', async () => {
    const { hub, sent } = await setup();
    await hub.start();
    hub.setSessionAttribute('level', 3);
    hub.endSession();
    await hub.flush();
    expect(sent().events.map((e) => e.name)).toEqual(['ss', 'se']);
  });

  it('sends what is queued when the app goes to the background', async () => {
    const { hub, collector } = await setup();
    await hub.start();
    // A session start goes at once (Braze's session-start triggers wait for it), as the Web SDK's openSession.
    await vi.waitFor(() => expect(collector.accepted('braze')).toHaveLength(1));
    expect((collector.accepted('braze')[0]!.body as BrazeRequestBody).events.map((e) => e.name)).toEqual(['ss']);
    hub.logEvent('a');
    await Promise.resolve();
    expect(collector.requests).toHaveLength(1); // an event waits for company (flush interval)
    hub.background();
    await vi.waitFor(() => expect(collector.accepted('braze')).toHaveLength(2));
    expect((collector.accepted('braze')[1]!.body as BrazeRequestBody).events.map((e) => e.name)).toEqual(['ce']);
  });

  it('reports delivery health and stops on shutdown with nothing lost', async () => {
    const { hub } = await setup();
    // No outbox before init, so no delivery figures yet (the hub then reports the kit without them).
    expect(brazeKit({ apiKey: 'k', baseUrl: 'x.example' }).getHealth!()).toBeUndefined();
    await hub.start();
    hub.logEvent('a');
    await hub.shutdown();
    // The device, the ss and the ce.
    expect(hub.getKitHealth().braze!.delivery).toMatchObject({ queued: 0, delivered: 3, dropped: {} });
  });
});

describe('brazeKit: timeout alignment', () => {
  it('init logs the canonical timeout next to Braze\'s defaults (debug)', async () => {
    const { hub, logger } = await setup({}, { sessionTimeout: 90, logLevel: 'debug' });
    await hub.start();
    const debug = lines(logger.debug).find((l) => l.includes('init: canonical session timeout'));
    expect(debug).toContain('[sessionhub:braze]');
    expect(debug).toContain('canonical session timeout 90 s');
    expect(debug).toContain('mobile 10 s, web 1800 s (web minimum 10 s)');
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('warns once when the declared Braze setting disagrees, and keeps it current on setSessionTimeout', async () => {
    const { hub, logger } = await setup({ brazeSessionTimeout: 1800, brazePlatform: 'web' }, { sessionTimeout: 60, logLevel: 'debug' });
    await hub.start();
    expect(lines(logger.warn).filter((w) => w.includes('your Braze session timeout is 1800 s, SessionHub\'s session timeout 60 s'))).toHaveLength(1);

    hub.setSessionTimeout(1800); // now aligned
    await hub.flush(); // the kit gets calls once its init (loading the outbox) is done
    expect(lines(logger.debug).some((l) => l.includes('config change: canonical session timeout 1800 s'))).toBe(true);
    expect(lines(logger.info).some((l) => l.includes('now agree'))).toBe(true);

    hub.setSessionTimeout(5); // below Braze's web minimum
    await hub.flush();
    const last = lines(logger.warn).at(-1)!;
    expect(last).toContain("raise SessionHub's sessionTimeout to 10 s, the web minimum");
    hub.setSessionTimeout(5); // same disagreement: not repeated
    await hub.flush();
    expect(lines(logger.warn).filter((w) => w.includes('sessionTimeout to 10 s, the web minimum'))).toHaveLength(1);
  });
});
