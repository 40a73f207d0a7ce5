/**
 * Claims of docs/kits/snowplow.md checked against the kit (an audit of the page): each test names
 * the claim it holds the kit to.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import { createHub, memoryStorage, resilientStorage } from '@sessionhub/core';
import { dyingStorage, manualClock, manualLifecycle, storedView } from '@sessionhub/testing';
import { snowplowKit, type SnowplowKitOptions } from '@sessionhub/kit-snowplow';
import { createPayloadMapper, resolveSnowplowOptions, trackerRequest, type PayloadMapperEnv, type TrackerPayload } from '@sessionhub/kit-snowplow/protocol';
import { adoptSpId } from '../src/sp-id';
import { webPage } from '../src/web-page';
import { captureTransport, recordingLogger } from './harness';
import { clientSession, decodeTrackerRequest, type DecodedEvent } from './iglu-validator';
import { endRecord, eventRecord, lifecycleRecord, startRecord, T0 } from './records';

const BASE: SnowplowKitOptions = { collectorUrl: 'https://collector.test', appId: 'app-1' };

function mapperOf(options: Partial<SnowplowKitOptions> = {}, env: Partial<PayloadMapperEnv> = {}) {
  const problems: { message: string; error?: unknown }[] = [];
  const mapper = createPayloadMapper(resolveSnowplowOptions({ ...BASE, ...options }), {
    newId: () => 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
    report: (message, error) => void problems.push(error === undefined ? { message } : { message, error }),
    ...env,
  });
  return { mapper, problems };
}

const decode = (...items: (TrackerPayload | null)[]): DecodedEvent[] =>
  decodeTrackerRequest(trackerRequest('https://collector.test/com.snowplowanalytics.snowplow/tp2', items.filter((i): i is TrackerPayload => i !== null), T0 + 60_000));

describe('docs/kits/snowplow.md: client_session and the tracker protocol fields', () => {
  it('ids in upper case (a generateId of the app\'s): firstEventId is the first event\'s eid and sid is client_session.sessionId as enrich stores them (lowercased), in every item', () => {
    const FIRST = '9B2D6E4C-1A3F-4C5D-8E7F-0A1B2C3D4E5F';
    const SESSION = '7C9E6679-7425-40DE-944B-E07FC1F90AE7';
    const PREVIOUS = '16FD2706-8BAF-433B-82EB-8C7FADA847DA';
    const ids = { sessionId: SESSION, previousSessionId: PREVIOUS, firstEventId: FIRST };
    const { mapper } = mapperOf(
      { platform: 'web', sessionEvents: { start: 'iglu:com.acme/session_start/jsonschema/1-0-0', end: 'iglu:com.acme/session_end/jsonschema/1-0-0' } },
      { newId: () => 'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE' },
    );
    // (The validator holds every eid to a lowercase UUID v4, the new ids of lifecycle and session events too.)
    const items = decode(
      mapper.sessionStart(startRecord({ sessionId: SESSION, previousSessionId: PREVIOUS })),
      mapper.event(eventRecord({ ...ids, eventId: FIRST, eventIndex: 1 })),
      mapper.background(lifecycleRecord(ids)),
      mapper.sessionEnd(endRecord(ids)),
    );
    const firstEid = items[1]!.item.eid!;
    // Enrich stores eid and sid lowercased (ConversionUtils.validateUuid); the entity as it was sent.
    expect(firstEid).toBe(FIRST.toLowerCase());
    for (const e of items) {
      const cs = clientSession(e)!;
      expect(cs.sessionId).toBe(SESSION.toLowerCase());
      expect(e.item.sid).toBe(cs.sessionId);
      expect(cs.previousSessionId).toBe(PREVIOUS.toLowerCase());
      if (e !== items[0]) expect(cs.firstEventId).toBe(firstEid);
      // The session events' own data names the same session.
      if (e.event?.schema.startsWith('iglu:com.acme/session_')) expect((e.event.data as { sessionId: string }).sessionId).toBe(cs.sessionId);
    }
    expect((items[0]!.event!.data as { previousSessionId: string }).previousSessionId).toBe(PREVIOUS.toLowerCase());
  });
});

describe('docs/kits/snowplow.md: adopting the tracker\'s users', () => {
  it('the visit count is added to every session index: the self-describing session events\' sessionIndex too', () => {
    const adopted = { userId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d', visits: 12 };
    const { mapper } = mapperOf({ platform: 'web', sessionEvents: { start: 'iglu:com.acme/session_start/jsonschema/1-0-0', end: 'iglu:com.acme/session_end/jsonschema/1-0-0' } }, { adopted });
    const [start, end] = decode(mapper.sessionStart(startRecord()), mapper.sessionEnd(endRecord()));
    for (const e of [start!, end!]) {
      expect(clientSession(e)!.sessionIndex).toBe(3 + 12);
      expect(e.item.vid).toBe('15');
      expect((e.event!.data as { sessionIndex: number }).sessionIndex).toBe(3 + 12);
    }
  });
});

describe('docs/kits/snowplow.md: killed apps (what the kit stores)', () => {
  it('the kit stores no session state: its queue, and sp_id only, "-" once hub.reset() was called (outside a page too)', async () => {
    const storage = dyingStorage();
    const capture = captureTransport();
    const hub = createHub({ clock: manualClock().now, logger: recordingLogger(), storage, lifecycle: manualLifecycle('foreground'), kits: [snowplowKit({ ...BASE, delivery: { transport: capture.transport } })] });
    await hub.start();
    hub.logEvent('a', {});
    await hub.reset();
    await hub.flush();
    await hub.shutdown();
    const stored = storedView(storage.snapshot());
    const kitKeys = [...stored.keys()].filter((k) => k.includes(':kit:snowplow:') && !/:kit:snowplow:outbox:/.test(k));
    // (Before: the page said "The kit stores nothing but its queue.")
    expect(kitKeys).toEqual(['sessionhub:kit:snowplow:sp_id']);
    expect(stored.get('sessionhub:kit:snowplow:sp_id')).toBe('-');
  });
});

describe('docs/kits/snowplow.md: entitiesFor', () => {
  it('null and undefined are no entities, not a bug: no warning, nothing counted, the global entities still go', () => {
    const GLOBAL = { schema: 'iglu:com.snowplowanalytics.mobile/application/jsonschema/1-0-0', data: { version: '1', build: '1' } };
    for (const none of [null, undefined]) {
      const { mapper, problems } = mapperOf({ events: { song_played: 'iglu:com.acme/song_played/jsonschema/1-0-0' }, globalEntities: [GLOBAL], entitiesFor: () => none });
      const [ev] = decode(mapper.event(eventRecord()));
      expect(problems).toEqual([]);
      expect(ev!.entities.slice(1)).toEqual([GLOBAL]);
    }
    // Anything else that is not an array is a bug: warned, and counted (reported with an error).
    const { mapper, problems } = mapperOf({ events: { song_played: 'iglu:com.acme/song_played/jsonschema/1-0-0' }, entitiesFor: () => new Set() as never });
    mapper.event(eventRecord());
    expect(problems).toHaveLength(1);
    expect(problems[0]!.error).toBeInstanceOf(Set);
  });
});

/** What @snowplow/browser-tracker 4.10.1 sends as client_session.storageMechanism for a stateStorageStrategy (undefined: its default), read from its own code. */
function trackerStorageMechanism(strategy?: string): string {
  const require = createRequire(import.meta.url);
  const core = createRequire(require.resolve('@snowplow/browser-tracker')).resolve('@snowplow/browser-tracker-core');
  const source = readFileSync(core.replace(/index\.[^/\\]+$/, 'index.module.js'), 'utf8');
  const fallback = /getStateStorageStrategy = function \(config\) \{.*?: '(\w+)'; \}/.exec(source)![1]!;
  const [, when, then, otherwise] = /storageMechanism: configStateStorageStrategy == '(\w+)' \? '(\w+)' : '(\w+)'/.exec(source)!;
  return (strategy ?? fallback) === when ? then! : otherwise!;
}

describe('docs/kits/snowplow.md: moving from the browser tracker (stateStorageStrategy)', () => {
  it('the tracker at its default sends storageMechanism COOKIE_1, the kit LOCAL_STORAGE (as the tracker with localStorage, as CI runs it); storageMechanism: COOKIE_1 keeps the tracker\'s default', () => {
    const kitSends = (options: Partial<SnowplowKitOptions> = {}) => clientSession(decode(mapperOf({ platform: 'web', ...options }).mapper.event(eventRecord()))[0]!)!.storageMechanism;
    // (Before: the page said CI ran the tracker at "its defaults" and storageMechanism was the same.)
    expect(trackerStorageMechanism()).toBe('COOKIE_1');
    expect(kitSends()).toBe('LOCAL_STORAGE');
    expect(kitSends()).toBe(trackerStorageMechanism('localStorage'));
    expect(kitSends({ storageMechanism: 'COOKIE_1' })).toBe(trackerStorageMechanism());
    expect(readFileSync(new URL('./browser-conformance.test.ts', import.meta.url), 'utf8')).toContain("stateStorageStrategy: 'localStorage'");
  });
});

describe('docs/kits/snowplow.md: session events, filtered out in models', () => {
  /** The page's filter for the kit's session events, as a predicate on what the collector receives. */
  const isSessionEvent = (item: Readonly<Record<string, string>>): boolean =>
    item.se_ca === 'sessionhub' && (item.se_ac === 'session_start' || item.se_ac === 'session_end');

  it('the filter the page gives matches the session events only, not the app\'s structured events without a category (se_ca sessionhub too, by default)', () => {
    const { mapper } = mapperOf();
    const [start, own, end] = decode(mapper.sessionStart(startRecord()), mapper.event(eventRecord({ name: 'share', attributes: { label: 'whatsapp' } })), mapper.sessionEnd(endRecord()));
    // (Before: the page said to exclude se_category = 'sessionhub', which drops this event too.)
    expect(own!.item.se_ca).toBe('sessionhub');
    expect([start, own, end].map((e) => isSessionEvent(e!.item as Record<string, string>))).toEqual([true, false, true]);
    const doc = readFileSync(new URL('../../../docs/kits/snowplow.md', import.meta.url), 'utf8');
    expect(doc).not.toMatch(/se_category = 'sessionhub'`(?! and)/);
    expect(doc).toContain("`se_category = 'sessionhub' and se_action in ('session_start', 'session_end')`");
  });
});

describe('docs/kits/snowplow.md: on the web', () => {
  it('every field the kit sends in a page beyond the protocol\'s own is in the page\'s "On the web" table', () => {
    const page = {
      document: { referrer: 'https://ref.test/', characterSet: 'UTF-8', cookie: '' },
      location: { href: 'https://site.test/a' },
      navigator: { language: 'de-DE', cookieEnabled: true },
      screen: { width: 1920, height: 1080, colorDepth: 24 },
      innerWidth: 800,
      innerHeight: 600,
    };
    for (const [key, value] of Object.entries(page)) vi.stubGlobal(key, value);
    let fields: string[];
    try {
      const env = { page: webPage()!.fields };
      const [ev] = decode(mapperOf({ platform: 'web', events: { song_played: 'iglu:com.acme/song_played/jsonschema/1-0-0' } }, env).mapper.event(eventRecord()));
      const protocol = ['stm', 'e', 'eid', 'dtm', 'tv', 'p', 'aid', 'tna', 'uid', 'ue_pr', 'co'];
      fields = Object.keys(ev!.item).filter((f) => !protocol.includes(f));
    } finally {
      vi.unstubAllGlobals();
    }
    const doc = readFileSync(new URL('../../../docs/kits/snowplow.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('**On the web**'), doc.indexOf('The kit finds out that it runs in a page'));
    const listed = [...section.matchAll(/^\| ([^|]+) \|/gm)].flatMap((m) => [...m[1]!.matchAll(/`([^`]+)`/g)].map((f) => f[1]!));
    expect(fields.filter((f) => !listed.includes(f))).toEqual([]);
  });
});

describe('docs/kits/snowplow.md: sessions without another event', () => {
  it('with one session event off ({ start: false } or { end: false }), a session that ended without another event still reaches Snowplow, through the other; with sessionEvents: false it does not', async () => {
    const seen = async (sessionEvents: SnowplowKitOptions['sessionEvents']): Promise<boolean> => {
      const capture = captureTransport();
      const clock = manualClock();
      const hub = createHub({ clock: clock.now, logger: recordingLogger(), storage: dyingStorage(), kits: [snowplowKit({ ...BASE, sessionEvents, lifecycleEvents: false, delivery: { transport: capture.transport } })] });
      const ended: string[] = [];
      hub.on('sessionEnd', (r) => void ended.push(r.sessionId));
      await hub.start();
      hub.logEvent('before', {});
      clock.advance(1000);
      hub.startNewSession(); // a session without any event …
      clock.advance(1000);
      hub.startNewSession(); // … ended before one
      await hub.flush();
      await hub.shutdown();
      const sessions = capture.decoded().flatMap((r) => r.events.map((e) => clientSession(e)?.sessionId));
      expect(ended).toHaveLength(2);
      return sessions.includes(ended[1]);
    };
    // (Before: the page said a session without any event "reaches Snowplow not at all" with { start: false }.)
    expect(await seen({ start: false })).toBe(true);
    expect(await seen({ end: false })).toBe(true);
    expect(await seen(false)).toBe(false);
  });
});

describe('docs/kits/snowplow.md: adopting the tracker\'s users, when', () => {
  it('a start that found no cookie does not end the adoption: a later start that finds one adopts it (the kit\'s duid and session index change then)', async () => {
    const storage = resilientStorage(memoryStorage(), () => undefined);
    const DEVICE = 'f0e1d2c3-b4a5-4968-8776-655443322110';
    const DUID = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
    expect(await adoptSpId(storage, undefined, DEVICE)).toBeNull();
    // (Before: the page said the kit adopts "at its first start in a page".)
    expect(await adoptSpId(storage, `${DUID}.1767268800.12.1767270000.1767200000.7c9e6679-7425-40de-944b-e07fc1f90ae7..`, DEVICE)).toEqual({ userId: DUID, visits: 12 });
  });
});

describe('docs/troubleshooting.md: dropped.expired for the Snowplow kit', () => {
  it('an undelivered Snowplow event is not expired after 24 h, but after 30 days (as the kit page says)', async () => {
    const clock = manualClock();
    const capture = captureTransport(['network-error']);
    const hub = createHub({ clock: clock.now, logger: recordingLogger(), storage: dyingStorage(), kits: [snowplowKit({ ...BASE, sessionEvents: false, delivery: { transport: capture.transport, maxAttempts: 1_000_000 } })] });
    await hub.start();
    hub.logEvent('a', {});
    await hub.flush();
    const expired = () => (hub.getKitHealth().snowplow!.delivery!.dropped as Record<string, number>).expired ?? 0;
    clock.advance(25 * 3_600_000);
    await hub.flush();
    // (Before: troubleshooting.md said dropped.expired counts what "waited more than 24 h", for every kit.)
    expect(expired()).toBe(0);
    clock.advance(30 * 86_400_000);
    await hub.flush();
    expect(expired()).toBe(1);
    await hub.shutdown();
  });
});
