import { describe, expect, it } from 'vitest';
import { createHub, type HubOptions } from '@sessionhub/core';
import { dyingStorage, manualClock, manualLifecycle, settle } from '@sessionhub/testing';
import { snowplowKit, type SnowplowKitOptions } from '@sessionhub/kit-snowplow';
import { acceptedEvents, captureTransport, recordingLogger } from './harness';
import { clientSession } from './iglu-validator';

const SESSION_EVENTS = { start: 'iglu:com.acme/session_start/jsonschema/1-0-0', end: 'iglu:com.acme/session_end/jsonschema/1-0-0' };

function setup(kitOptions: Partial<SnowplowKitOptions> = {}, hubOptions: Partial<HubOptions> = {}) {
  const clock = manualClock();
  const logger = recordingLogger();
  const capture = captureTransport();
  const lifecycle = manualLifecycle('foreground');
  const storage = dyingStorage();
  const kit = snowplowKit({ collectorUrl: 'https://collector.test', appId: 'app', ...kitOptions, delivery: { transport: capture.transport, ...kitOptions.delivery } });
  const hub = createHub({ clock: clock.now, logger, storage, lifecycle, kits: [kit], ...hubOptions });
  return { clock, logger, capture, lifecycle, storage, kit, hub };
}

describe('the Snowplow kit in a hub', () => {
  it('init logs (debug) the canonical timeouts next to Snowplow\'s native 1800 s, and again on every change', async () => {
    const { hub, logger } = setup({}, { sessionTimeout: 90, foregroundTimeout: 600, logLevel: 'debug' });
    await hub.start();
    await settle();
    const lines = logger.text('debug').filter((l) => l.includes("Snowplow's native trackers"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('[sessionhub:snowplow]');
    expect(lines[0]).toContain('background 90 s');
    expect(lines[0]).toContain('foreground 600 s');
    expect(lines[0]).toContain("(Snowplow's native trackers: 1800 s both)");
    hub.setSessionTimeout(30);
    const after = logger.text('debug').filter((l) => l.includes("Snowplow's native trackers"));
    expect(after).toHaveLength(2);
    expect(after[1]).toContain('background 30 s');
    expect(after[1]).toContain('foreground 600 s');
    await hub.shutdown();
  });

  it('sends the hub\'s sessions: events and lifecycle carry the session the hub announced', async () => {
    const { hub, clock, capture, lifecycle } = setup({ events: { song_played: 'iglu:com.acme/song_played/jsonschema/1-0-0' } });
    const starts: string[] = [];
    hub.on('sessionStart', (r) => starts.push(r.sessionId));
    await hub.start();
    hub.logEvent('song_played', { genre: 'jazz' });
    clock.advance(1000);
    lifecycle.background();
    clock.advance(120_000); // past the 60 s background timeout: the foreground starts session 2
    lifecycle.foreground();
    hub.logEvent('song_played', { genre: 'pop' });
    await hub.flush();
    const events = [...acceptedEvents(capture.decoded()).values()];
    const summary = events.map((e) => {
      const cs = clientSession(e)!;
      return [e.event?.schema.split('/')[1] ?? e.item.se_ac, cs.sessionId === starts[0] ? 1 : cs.sessionId === starts[1] ? 2 : '?', cs.sessionIndex, cs.eventIndex];
    });
    // Session starts and ends are sent by default, so Snowplow sees every session.
    expect(summary).toEqual([
      ['session_start', 1, 1, null],
      ['application_foreground', 1, 1, null],
      ['song_played', 1, 1, 1],
      ['application_background', 1, 1, null],
      ['session_end', 1, 1, null],
      ['session_start', 2, 2, null],
      ['application_foreground', 2, 2, null],
      ['song_played', 2, 2, 1],
    ]);
    const second = clientSession(events[7]!)!;
    expect(second.previousSessionId).toBe(starts[0]);
    // As the trackers: counted from the app's start, not reset by the new session.
    expect([events[1], events[3], events[6]].map((e) => e!.event!.data)).toEqual([{ foregroundIndex: 1 }, { backgroundIndex: 1 }, { foregroundIndex: 2 }]);
    expect(events[4]!.item).toMatchObject({ se_ca: 'sessionhub', se_la: 'timeout', se_va: '1000' });
    expect(events[5]!.item).toMatchObject({ se_ca: 'sessionhub', se_la: 'foreground' });
    await hub.shutdown();
  });

  it('going to the background sends what is queued without waiting for the flush interval', async () => {
    const { hub, capture, lifecycle } = setup({}, {});
    await hub.start();
    hub.logEvent('tap', { label: 'a' });
    await settle();
    expect(capture.sent).toHaveLength(0); // waiting for company (10 s)
    lifecycle.background();
    await settle();
    await settle();
    expect(capture.sent).toHaveLength(1);
    expect(capture.decoded()[0]!.events.map((e) => e.item.se_ac ?? e.event?.schema)).toEqual([
      'session_start',
      'iglu:com.snowplowanalytics.snowplow/application_foreground/jsonschema/1-0-0',
      'tap',
      'iglu:com.snowplowanalytics.snowplow/application_background/jsonschema/1-0-0',
    ]);
    expect(hub.getKitHealth().snowplow).toMatchObject({ status: 'ready', errors: 0, delivery: { delivered: 4, queued: 0 } });
    await hub.shutdown();
  });

  it('onPageHide sends what is queued at once, with requests that outlive the page', async () => {
    const { hub, kit, capture } = setup({ lifecycleEvents: false });
    await hub.start();
    hub.logEvent('tap', { label: 'a' });
    hub.logEvent('tap', { label: 'b' });
    await settle();
    expect(capture.sent).toHaveLength(0); // waiting for company (10 s)
    kit.onPageHide!();
    // Before anything asynchronous runs: the page may be gone the next moment.
    expect(capture.sent.map((s) => s.keepalive)).toEqual([true]);
    expect(capture.decoded()[0]!.events.map((e) => e.item.se_la)).toEqual(['launch', 'a', 'b']); // the session start's label: its trigger
    await settle();
    expect(hub.getKitHealth().snowplow).toMatchObject({ errors: 0, delivery: { delivered: 3, queued: 0 } });
    // Nothing left: a second page hide (pagehide after visibilitychange) sends nothing.
    kit.onPageHide!();
    expect(capture.sent).toHaveLength(1);
    await hub.shutdown();
  });

  it('onPageHide before init (or after a failed one) does nothing', () => {
    const kit = snowplowKit({ collectorUrl: 'https://collector.test', appId: 'app' });
    expect(() => kit.onPageHide!()).not.toThrow();
  });

  it('lifecycleEvents: false sends no application_foreground / application_background', async () => {
    const { hub, capture, lifecycle } = setup({ lifecycleEvents: false });
    await hub.start();
    hub.logEvent('tap');
    lifecycle.background();
    lifecycle.foreground();
    await hub.flush();
    expect([...acceptedEvents(capture.decoded()).values()].map((e) => e.item.e + ':' + (e.item.se_ac ?? ''))).toEqual(['se:session_start', 'se:tap']);
    await hub.shutdown();
  });

  it('a force-quit: the next launch sends what was queued, and the recovered session\'s end still knows its first event', async () => {
    const first = setup({ sessionEvents: SESSION_EVENTS });
    await first.hub.start();
    first.hub.logEvent('tap', { label: 'before the crash' });
    const firstEvent = first.hub.getSession();
    await settle();
    first.storage.kill();
    first.capture.kill();
    await first.hub.shutdown();

    const capture = captureTransport();
    const ends: string[] = [];
    const hub = createHub({
      clock: first.clock.now,
      logger: first.logger,
      storage: first.storage.survivor(),
      lifecycle: manualLifecycle('foreground'),
      kits: [snowplowKit({ collectorUrl: 'https://collector.test', appId: 'app', sessionEvents: SESSION_EVENTS, delivery: { transport: capture.transport } })],
    });
    hub.on('sessionEnd', (r) => ends.push(`${r.sessionId}:${r.reason}`));
    first.clock.advance(5000);
    await hub.start();
    await hub.flush();
    expect(ends).toEqual([`${firstEvent!.id}:recovered`]);
    const events = [...acceptedEvents(capture.decoded()).values()];
    const tap = events.find((e) => e.item.se_ac === 'tap')!;
    expect(tap.item.se_la).toBe('before the crash');
    const end = events.find((e) => e.event?.schema === SESSION_EVENTS.end)!;
    expect(end.event!.data).toMatchObject({ sessionId: firstEvent!.id, reason: 'recovered', eventCount: 1 });
    expect(clientSession(end)).toMatchObject({ sessionId: firstEvent!.id, firstEventId: tap.item.eid, firstEventTimestamp: new Date(Number(tap.item.dtm)).toISOString() });
    // The new session follows the recovered one.
    const start = events.find((e) => e.event?.schema === SESSION_EVENTS.start && (e.event.data as { sessionId: string }).sessionId !== firstEvent!.id)!;
    expect(start.event!.data).toMatchObject({ previousSessionId: firstEvent!.id, sessionIndex: 2, trigger: 'launch' });
    await hub.shutdown();
  });

  it('a force-quit right after a new session started: the older session, recovered, still names its first event', async () => {
    const first = setup({ sessionEvents: SESSION_EVENTS });
    await first.hub.start();
    first.hub.logEvent('tap');
    const older = first.hub.getSession()!;
    await settle();
    // Three sessions in one burst: the kit hears of them at once, the hub persists a moment later.
    first.hub.startNewSession();
    first.hub.startNewSession();
    first.hub.startNewSession();
    first.storage.kill();
    first.capture.kill();
    await first.hub.shutdown();

    const capture = captureTransport();
    const hub = createHub({
      clock: first.clock.now,
      logger: first.logger,
      storage: first.storage.survivor(),
      lifecycle: manualLifecycle('foreground'),
      kits: [snowplowKit({ collectorUrl: 'https://collector.test', appId: 'app', sessionEvents: SESSION_EVENTS, delivery: { transport: capture.transport } })],
    });
    await hub.start();
    await hub.flush();
    const events = [...acceptedEvents(capture.decoded()).values()];
    const tap = events.find((e) => e.item.se_ac === 'tap')!;
    const end = events.find((e) => e.event?.schema === SESSION_EVENTS.end)!;
    expect(end.event!.data).toMatchObject({ sessionId: older.id, reason: 'recovered' });
    expect(clientSession(end)).toMatchObject({ sessionId: older.id, firstEventId: tap.item.eid });
    await hub.shutdown();
  });

  it('never breaks the host app: a throwing entitiesFor is reported in the kit\'s health, the event still goes', async () => {
    const { hub, capture, logger } = setup({
      entitiesFor: () => {
        throw new Error('generator bug');
      },
    });
    await hub.start();
    expect(hub.logEvent('tap', { label: 'x' })).toBe(true);
    await hub.flush();
    expect([...acceptedEvents(capture.decoded()).values()].some((e) => e.item.se_ac === 'tap')).toBe(true);
    expect(hub.getKitHealth().snowplow).toMatchObject({ status: 'ready', errors: 1, lastError: expect.stringContaining('generator bug') });
    expect(logger.text('warn').some((l) => l.includes('entitiesFor failed for event "tap"'))).toBe(true);
    await hub.shutdown();
  });

  it('warns once when the hub\'s ids are not UUIDs, naming every field they would make fail (eid, sessionId, userId)', async () => {
    let n = 0;
    const { hub, logger } = setup({}, { generateId: () => `id-${++n}` });
    await hub.start();
    hub.logEvent('a');
    hub.startNewSession();
    hub.logEvent('b');
    await settle();
    const warnings = logger.text('warn').filter((l) => l.includes('not UUIDs'));
    expect(warnings).toHaveLength(1);
    for (const field of ['eid', 'client_session.sessionId', 'client_session.userId', 'generateId']) expect(warnings[0]).toContain(field);
    await hub.shutdown();
  });

  it('no health figures before init; flush and shutdown before init do nothing', async () => {
    const kit = snowplowKit({ collectorUrl: 'https://collector.test', appId: 'app' });
    expect(kit.getHealth!()).toBeUndefined();
    expect(kit.flush!()).toBeUndefined();
    expect(kit.shutdown!()).toBeUndefined();
  });
});
