import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '@sessionhub/core';
import type { SnowplowKitOptions } from '@sessionhub/kit-snowplow';
import { createPayloadMapper, resolveSnowplowOptions, trackerRequest, TRACKER_VERSION, type PayloadMapperEnv, type TrackerPayload } from '@sessionhub/kit-snowplow/protocol';
import { clientSession, decodeTrackerRequest, exceedsJsonDepth, tsvSafe, urlParts, type DecodedEvent } from './iglu-validator';
import { DEVICE, endRecord, eventRecord, FIRST_EVENT, lifecycleRecord, PREVIOUS, SESSION, startRecord, T0 } from './records';

const BASE: SnowplowKitOptions = { collectorUrl: 'https://collector.test', appId: 'app-1' };
const SENT_AT = T0 + 60_000;
const LIFECYCLE_ID = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const APP_ENTITY = { schema: 'iglu:com.snowplowanalytics.mobile/application/jsonschema/1-0-0', data: { version: '1.2.3', build: '45' } };
const CART_ENTITY = { schema: 'iglu:com.acme/cart/jsonschema/1-0-0', data: { currency: 'EUR' } };

function mapperOf(options: Partial<SnowplowKitOptions> = {}, env: Pick<PayloadMapperEnv, 'page' | 'adopted'> = {}) {
  /** What the mapping reported: a warning, and the error when app code threw (counted in the kit's health). */
  const problems: { message: string; error?: unknown }[] = [];
  const mapper = createPayloadMapper(resolveSnowplowOptions({ ...BASE, ...options }), {
    ...env,
    newId: () => LIFECYCLE_ID,
    report: (message, error) => void problems.push(error === undefined ? { message } : { message, error }),
  });
  return { mapper, problems };
}

/** Sends the items through the real request builder and decodes them, validating against Iglu. */
function decode(...items: TrackerPayload[]): DecodedEvent[] {
  return decodeTrackerRequest(trackerRequest('https://collector.test/com.snowplowanalytics.snowplow/tp2', items, SENT_AT));
}

const expectedSession = (eventIndex: number | null) => ({
  userId: DEVICE,
  sessionId: SESSION,
  sessionIndex: 3,
  previousSessionId: PREVIOUS,
  firstEventId: FIRST_EVENT,
  firstEventTimestamp: '2026-01-01T12:00:01.000Z',
  storageMechanism: 'LOCAL_STORAGE',
  eventIndex,
});

describe('hub events', () => {
  it('a mapped event is a self-describing event with every tracker field, client_session first, then global, per-name and per-event entities', () => {
    const { mapper, problems } = mapperOf({
      events: { song_played: { schema: 'iglu:com.acme/song_played/jsonschema/1-0-0', entities: [CART_ENTITY] } },
      globalEntities: [APP_ENTITY],
      entitiesFor: (e) => [{ schema: 'iglu:com.snowplowanalytics.mobile/screen/jsonschema/1-0-0', data: { name: String(e.attributes.genre), id: LIFECYCLE_ID } }],
    });
    const [ev] = decode(mapper.event(eventRecord({ eventId: 'B3F1C2D4-5E6F-4A7B-8C9D-0E1F2A3B4C5D' })));
    expect(ev!.item).toEqual({
      e: 'ue',
      eid: 'b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
      dtm: String(T0 + 5000),
      stm: String(SENT_AT),
      tv: TRACKER_VERSION,
      p: 'mob',
      aid: 'app-1',
      tna: 'sessionhub',
      uid: 'user-1',
      ue_px: expect.any(String),
      cx: expect.any(String),
    });
    expect(ev!.event).toEqual({ schema: 'iglu:com.acme/song_played/jsonschema/1-0-0', data: { genre: 'jazz', seconds: 42 } });
    expect(ev!.entities).toEqual([
      { schema: 'iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-2', data: expectedSession(2) },
      APP_ENTITY,
      CART_ENTITY,
      { schema: 'iglu:com.snowplowanalytics.mobile/screen/jsonschema/1-0-0', data: { name: 'jazz', id: LIFECYCLE_ID } },
    ]);
    expect(problems).toEqual([]);
  });

  it('encodeBase64: false sends the same JSON plain in co and ue_pr', () => {
    const options = { events: { song_played: 'iglu:com.acme/song_played/jsonschema/1-0-0' }, globalEntities: [APP_ENTITY] };
    const [encoded] = decode(mapperOf(options).mapper.event(eventRecord()));
    const [plain] = decode(mapperOf({ ...options, encodeBase64: false }).mapper.event(eventRecord()));
    expect(Object.keys(plain!.item).sort()).toEqual(['aid', 'co', 'dtm', 'e', 'eid', 'p', 'stm', 'tna', 'tv', 'ue_pr', 'uid']);
    expect(plain!.item.co).toBe(Buffer.from(encoded!.item.cx!, 'base64url').toString('utf8'));
    expect(plain!.item.ue_pr).toBe(Buffer.from(encoded!.item.ue_px!, 'base64url').toString('utf8'));
    expect(plain!.entities).toEqual(encoded!.entities);
  });

  it('options set tna, p, aid and storageMechanism', () => {
    const { mapper } = mapperOf({ namespace: 'ns', platform: 'web', appId: 'shop', storageMechanism: 'COOKIE_1' });
    const [ev] = decode(mapper.event(eventRecord()));
    expect([ev!.item.tna, ev!.item.p, ev!.item.aid]).toEqual(['ns', 'web', 'shop']);
    expect(clientSession(ev!)?.storageMechanism).toBe('COOKIE_1');
  });

  it('platform web: the browser tracker\'s duid, sid and vid from the canonical session, and the page\'s fields', () => {
    const page = { url: 'https://shop.test/cart', refr: 'https://search.test/', lang: 'fr-FR', vp: '800x600', tz: undefined };
    const { mapper } = mapperOf({ platform: 'web' }, { page: () => page });
    const [ev, lc, outside] = decode(
      mapper.event(eventRecord()),
      mapper.background(lifecycleRecord()),
      mapper.event(eventRecord({ sessionId: null, sessionIndex: 0, eventIndex: 0, affectsSession: false, previousSessionId: null, firstEventId: null, firstEventTime: null })),
    );
    for (const item of [ev!.item, lc!.item]) {
      expect(item).toMatchObject({ p: 'web', duid: DEVICE, sid: SESSION, vid: '3', url: page.url, refr: page.refr, lang: 'fr-FR', vp: '800x600' });
      expect(item).not.toHaveProperty('tz');
    }
    // No session: the user, not a session.
    expect(outside!.item).toMatchObject({ duid: DEVICE });
    expect(outside!.item).not.toHaveProperty('sid');
    expect(outside!.item).not.toHaveProperty('vid');
    // Not web: none of them.
    const [mob] = decode(mapperOf({}, { page: undefined }).mapper.event(eventRecord()));
    for (const field of ['duid', 'sid', 'vid', 'url']) expect(mob!.item).not.toHaveProperty(field);
  });

  it('a browser tracker\'s user adopted: its domain user id in duid and client_session.userId, its visits added to every session index', () => {
    const adopted = { userId: 'D5C0FFEE-0000-4000-8000-00000000BEEF', visits: 7 };
    const { mapper } = mapperOf({ platform: 'web' }, { adopted });
    const [ev] = decode(mapper.event(eventRecord()));
    expect(ev!.item).toMatchObject({ duid: adopted.userId.toLowerCase(), sid: SESSION, vid: '10' });
    expect(clientSession(ev!)).toEqual({ ...expectedSession(2), userId: adopted.userId.toLowerCase(), sessionIndex: 10 });
  });

  it('an unmapped event is a structured event: se_ca default or `category`, se_ac the name, label/property/value', () => {
    const { mapper, problems } = mapperOf({ structuredEventCategory: 'media' });
    const [plain, categorized] = decode(
      mapper.event(eventRecord({ name: 'play', attributes: { label: 'intro', property: 7, value: '2.5' } })),
      mapper.event(eventRecord({ name: 'play', attributes: { category: 'video', value: 3 } })),
    );
    expect(plain!.item).toMatchObject({ e: 'se', se_ca: 'media', se_ac: 'play', se_la: 'intro', se_pr: '7', se_va: '2.5' });
    expect(plain!.event).toBeNull();
    expect(categorized!.item).toMatchObject({ se_ca: 'video', se_ac: 'play', se_va: '3' });
    expect(categorized!.item).not.toHaveProperty('se_la');
    expect(clientSession(plain!)).toEqual(expectedSession(2));
    expect(problems).toEqual([]);
  });

  it('se_va takes what enrich parses as a number (java.math.BigDecimal), written as given; the rest is reported as unsent', () => {
    const { mapper, problems } = mapperOf();
    const values: [unknown, string | undefined][] = [
      [16, '16'], [-2.5, '-2.5'], [1e21, '1e+21'], ['0.10', '0.10'], ['+3', '+3'], ['.5', '.5'], ['1e3', '1e3'], ['-1E-7', '-1E-7'],
      ['0x10', undefined], [' 1', undefined], ['1 ', undefined], ['Infinity', undefined], ['', undefined], ['1_000', undefined],
      [Number.POSITIVE_INFINITY, undefined], [Number.NaN, undefined], [true, undefined],
      // A bigint as its digits, all of them (the browser tracker sends its text, which BigDecimal reads).
      [12n, '12'], [-(2n ** 70n), '-1180591620717411303424'], [[5], undefined],
    ];
    for (const [value, sent] of values) {
      const [ev] = decode(mapper.event(eventRecord({ name: 'v', attributes: { value } })));
      expect([value, ev!.item.se_va]).toEqual([value, sent]);
    }
    expect(problems).toEqual([{ message: expect.stringContaining('event "v" went as a structured event without "value"') }]);
  });

  it('attributes a structured event cannot carry, and a non-numeric value, are reported once per event name', () => {
    const { mapper, problems } = mapperOf();
    const [ev] = decode(
      mapper.event(eventRecord({ name: 'tap', attributes: { button: 'ok', value: 'lots', label: 'x' } })),
      mapper.event(eventRecord({ name: 'tap', attributes: { button: 'cancel', value: 'more' } })),
      mapper.event(eventRecord({ name: 'play', attributes: { label: 'ok', value: null } })),
    );
    expect(ev!.item).not.toHaveProperty('se_va');
    expect(ev!.item.se_ca).toBe('sessionhub');
    expect(problems).toEqual([{ message: expect.stringMatching(/^event "tap" went as a structured event without "button","value": map it in "events" or set "catchAllSchema"$/) }]);
    // Nothing was left out of the second name's events: no warning.
    mapper.event(eventRecord({ name: 'play', attributes: { property: 1 } }));
    expect(problems).toHaveLength(1);
  });

  it('a category that is not a non-empty string, or a label or property with no text, is reported as unsent; numbers go as text, Infinity too', () => {
    const { mapper, problems } = mapperOf();
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const [share, rate] = decode(
      mapper.event(eventRecord({ name: 'share', attributes: { category: 7, label: 'x', property: cycle } })),
      mapper.event(eventRecord({ name: 'rate', attributes: { category: 'c', label: Number.POSITIVE_INFINITY, property: Number.NaN } })),
    );
    expect(share!.item).toMatchObject({ se_ca: 'sessionhub', se_la: 'x' });
    expect(share!.item).not.toHaveProperty('se_pr');
    expect(rate!.item).toMatchObject({ se_ca: 'c', se_la: 'Infinity', se_pr: 'NaN' });
    expect(problems).toEqual([{ message: 'event "share" went as a structured event without "category","property": map it in "events" or set "catchAllSchema"' }]);
  });

  it("'' is nothing to send, as the browser tracker leaves it out: no field, no warning", () => {
    const { mapper, problems } = mapperOf();
    const [ev] = decode(mapper.event(eventRecord({ name: 'e', attributes: { category: '', label: '', property: '', value: '' } })));
    expect(ev!.item.se_ca).toBe('sessionhub');
    for (const field of ['se_la', 'se_pr', 'se_va']) expect(ev!.item).not.toHaveProperty(field);
    expect(problems).toEqual([]);
  });

  it('a label or property whose JSON is a string (a Date) is that string, not quoted; an invalid Date is nothing, reported', () => {
    const { mapper, problems } = mapperOf();
    const [date, boxed, invalid] = decode(
      mapper.event(eventRecord({ name: 'd', attributes: { label: new Date(0), property: new URL('https://example.com/?q=1') } })),
      mapper.event(eventRecord({ name: 'b', attributes: { label: Object('s') as unknown, property: [new Date(0)] } })),
      mapper.event(eventRecord({ name: 'i', attributes: { label: new Date(Number.NaN) } })),
    );
    expect(date!.item).toMatchObject({ se_la: '1970-01-01T00:00:00.000Z', se_pr: 'https://example.com/?q=1' });
    expect(boxed!.item).toMatchObject({ se_la: 's', se_pr: '["1970-01-01T00:00:00.000Z"]' });
    expect(invalid!.item).not.toHaveProperty('se_la');
    expect(problems).toEqual([{ message: 'event "i" went as a structured event without "label": map it in "events" or set "catchAllSchema"' }]);
  });

  it('with catchAllSchema an unmapped event is a self-describing { name, attributes }', () => {
    const { mapper } = mapperOf({ catchAllSchema: 'iglu:com.acme/generic_event/jsonschema/1-0-0', events: { other: { entities: [CART_ENTITY] } } });
    const [ev, other] = decode(mapper.event(eventRecord({ name: 'tap', attributes: { button: 'ok' } })), mapper.event(eventRecord({ name: 'other' })));
    expect(ev!.event).toEqual({ schema: 'iglu:com.acme/generic_event/jsonschema/1-0-0', data: { name: 'tap', attributes: { button: 'ok' } } });
    // A name with entities but no schema still takes the default route, with its entities.
    expect(other!.event?.schema).toBe('iglu:com.acme/generic_event/jsonschema/1-0-0');
    expect(other!.entities.at(-1)).toEqual(CART_ENTITY);
  });

  it('an event with no live session carries no client_session (and no cx at all without other entities); no user, no uid', () => {
    const neutral = eventRecord({ sessionId: null, sessionIndex: 0, eventIndex: 0, sessionStartTime: null, previousSessionId: null, firstEventId: null, firstEventTime: null, userId: null, affectsSession: false });
    const [bare] = decode(mapperOf().mapper.event(neutral));
    expect(bare!.item).not.toHaveProperty('cx');
    expect(bare!.item).not.toHaveProperty('uid');
    const [withGlobal] = decode(mapperOf({ globalEntities: [APP_ENTITY] }).mapper.event(neutral));
    expect(withGlobal!.entities).toEqual([APP_ENTITY]);
  });

  it('the first event of a session: eventIndex 1, previousSessionId null for the first session', () => {
    const { mapper } = mapperOf();
    const first = eventRecord({ eventIndex: 1, firstEventId: 'b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d', firstEventTime: T0 + 5000, previousSessionId: null, sessionIndex: 1 });
    const [ev] = decode(mapper.event(first));
    expect(clientSession(ev!)).toEqual({
      userId: DEVICE,
      sessionId: SESSION,
      sessionIndex: 1,
      previousSessionId: null,
      firstEventId: 'b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
      firstEventTimestamp: '2026-01-01T12:00:05.000Z',
      storageMechanism: 'LOCAL_STORAGE',
      eventIndex: 1,
    });
  });

  it('userId is the device id lowercased', () => {
    const [ev] = decode(mapperOf().mapper.event(eventRecord({ deviceId: DEVICE.toUpperCase() })));
    expect(clientSession(ev!)?.userId).toBe(DEVICE);
  });

  it('attributes JSON cannot hold are sent as strings, and reported', () => {
    const cyclic: Record<string, unknown> = { n: 1n };
    cyclic.self = cyclic;
    const { mapper, problems } = mapperOf({ events: { song_played: 'iglu:com.acme/song_played/jsonschema/1-0-0' } });
    const [ev] = decode(mapper.event(eventRecord({ attributes: cyclic })));
    expect(ev!.event!.data).toEqual({ n: '1', self: '[Circular]' });
    // A data problem of the app, not an error of app code: a warning, not counted.
    expect(problems).toEqual([{ message: 'event "song_played": attribute values JSON cannot hold, or nested deeper than Snowplow\'s enrich takes (40 levels in all), were sent as text' }]);
  });

  it('beside a BigInt, an object met twice but not inside itself is sent in full each time, as JSON writes it', () => {
    const shared = { a: 1, inner: { b: [2] } };
    const outer: Record<string, unknown> = { deep: { shared } };
    (outer.deep as Record<string, unknown>).back = outer;
    const { mapper } = mapperOf({ events: { song_played: 'iglu:com.acme/song_played/jsonschema/1-0-0' } });
    const [ev] = decode(mapper.event(eventRecord({ attributes: { n: 1n, x: shared, y: shared, list: [shared, [shared]], outer, again: outer } })));
    // Only an object inside itself is "[Circular]" (what the browser tracker is sent with the BigInt as text).
    expect(ev!.event!.data).toEqual({
      n: '1',
      x: shared,
      y: shared,
      list: [shared, [shared]],
      outer: { deep: { shared, back: '[Circular]' } },
      again: { deep: { shared, back: '[Circular]' } },
    });
  });

  it('entitiesFor that throws, returns junk or invalid entities costs only those entities', () => {
    const run = (entitiesFor: SnowplowKitOptions['entitiesFor']) => {
      const { mapper, problems } = mapperOf({ entitiesFor });
      const [ev] = decode(mapper.event(eventRecord({ attributes: { label: 'x' } })));
      return { entities: ev!.entities.map((e) => e.schema), problems };
    };
    const CLIENT_SESSION = 'iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-2';
    const bug = new Error('boom');
    // A throw, or something other than an array, is a bug in app code: reported with its error (the kit counts it).
    expect(run(() => { throw bug; })).toEqual({ entities: [CLIENT_SESSION], problems: [{ message: expect.stringContaining('entitiesFor failed for event "song_played"'), error: bug }] });
    // Not an array, iterable or not (a Set, a string): left out whole, reported with the value.
    for (const junk of [{ schema: 'x' }, new Set([CART_ENTITY]), 'iglu']) {
      expect(run(() => junk as never)).toEqual({
        entities: [CLIENT_SESSION],
        problems: [{ message: expect.stringContaining('entitiesFor failed'), error: junk }],
      });
    }
    expect(run(() => null)).toEqual({ entities: [CLIENT_SESSION], problems: [] });
    // An invalid entity costs only itself, with a warning saying what is wrong.
    expect(run(() => [{ schema: 'not-iglu', data: {} }, CART_ENTITY, { schema: CART_ENTITY.schema, data: undefined }])).toEqual({
      entities: [CLIENT_SESSION, CART_ENTITY.schema],
      problems: [
        { message: 'entitiesFor, event "song_played": an entity needs "schema": an Iglu URI like "iglu:com.acme/cart/jsonschema/1-0-0"; left out' },
        { message: 'entitiesFor, event "song_played": an entity (iglu:com.acme/cart/jsonschema/1-0-0) needs "data" that JSON can hold; left out' },
      ],
    });
  });

  it('property: any event record maps to a valid payload whose client_session and fields are the record\'s', () => {
    const uuid = fc.uuid({ version: 4 });
    const record = fc.record({
      eventId: uuid,
      name: fc.oneof(fc.constantFrom('song_played', 'tap', '__proto__', 'constructor'), fc.string({ minLength: 1, maxLength: 40 })),
      attributes: fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 })),
      timestamp: fc.integer({ min: 0, max: 4_102_444_800_000 }),
      session: fc.option(fc.record({ sessionId: uuid, sessionIndex: fc.integer({ min: 1, max: 2 ** 31 - 1 }), eventIndex: fc.integer({ min: 1, max: 2 ** 31 - 1 }), previousSessionId: fc.option(uuid), firstEventId: uuid, firstEventTime: fc.integer({ min: 0, max: 4_102_444_800_000 }) })),
      userId: fc.option(fc.string({ minLength: 1, maxLength: 60 })),
      deviceId: uuid,
    });
    const options = fc.record({ encodeBase64: fc.boolean(), catchAll: fc.boolean(), global: fc.boolean() });
    fc.assert(
      fc.property(record, options, (r, o) => {
        const { mapper } = mapperOf({
          encodeBase64: o.encodeBase64,
          events: { song_played: 'iglu:com.acme/song_played/jsonschema/1-0-0' },
          ...(o.catchAll ? { catchAllSchema: 'iglu:com.acme/generic_event/jsonschema/1-0-0' } : {}),
          ...(o.global ? { globalEntities: [APP_ENTITY] } : {}),
        });
        const s = r.session;
        const rec: EventRecord = eventRecord({
          eventId: r.eventId, name: r.name, attributes: r.attributes, timestamp: r.timestamp, userId: r.userId, deviceId: r.deviceId,
          sessionId: s?.sessionId ?? null, sessionIndex: s?.sessionIndex ?? 0, eventIndex: s?.eventIndex ?? 0, previousSessionId: s?.previousSessionId ?? null,
          firstEventId: s?.firstEventId ?? null, firstEventTime: s?.firstEventTime ?? null, sessionStartTime: s ? 0 : null,
        });
        const [ev] = decode(mapper.event(rec));
        expect(ev!.item.eid).toBe(r.eventId);
        expect(ev!.item.dtm).toBe(String(r.timestamp));
        expect(ev!.item.uid).toBe(r.userId ?? undefined);
        expect(ev!.item.e).toBe(r.name === 'song_played' || o.catchAll ? 'ue' : 'se');
        if (ev!.item.e === 'se') expect(ev!.item.se_ac).toBe(r.name);
        else expect(ev!.event!.data).toEqual(r.name === 'song_played' ? JSON.parse(JSON.stringify(r.attributes)) : { name: r.name, attributes: JSON.parse(JSON.stringify(r.attributes)) });
        expect(clientSession(ev!)).toEqual(
          s === null
            ? undefined
            : {
                userId: r.deviceId, sessionId: s.sessionId, sessionIndex: s.sessionIndex, previousSessionId: s.previousSessionId, eventIndex: s.eventIndex,
                firstEventId: s.firstEventId, firstEventTimestamp: new Date(s.firstEventTime).toISOString(), storageMechanism: 'LOCAL_STORAGE',
              },
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe('lifecycle events', () => {
  it('foreground: application_foreground with the foregroundIndex and the record\'s session (eventIndex null: not a hub event)', () => {
    const { mapper } = mapperOf({ globalEntities: [APP_ENTITY] });
    const [ev] = decode(mapper.foreground(lifecycleRecord()));
    expect(ev!.item).toMatchObject({ e: 'ue', eid: LIFECYCLE_ID, dtm: String(T0 + 9000), uid: 'user-1' });
    expect(ev!.event).toEqual({ schema: 'iglu:com.snowplowanalytics.snowplow/application_foreground/jsonschema/1-0-0', data: { foregroundIndex: 2 } });
    expect(ev!.entities).toEqual([{ schema: 'iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-2', data: expectedSession(null) }, APP_ENTITY]);
  });

  it('background: application_background with the backgroundIndex; with no live session, no client_session', () => {
    const { mapper } = mapperOf();
    const [live, none] = decode(
      mapper.background(lifecycleRecord()),
      mapper.background(
        lifecycleRecord({ sessionId: null, sessionIndex: 0, foregroundIndex: 0, backgroundIndex: 0, userId: null, previousSessionId: null, eventIndex: 0, firstEventId: null, firstEventTime: null }),
      ),
    );
    expect(live!.event).toEqual({ schema: 'iglu:com.snowplowanalytics.snowplow/application_background/jsonschema/1-0-0', data: { backgroundIndex: 1 } });
    expect(clientSession(live!)).toEqual(expectedSession(null));
    expect(none!.event!.data).toEqual({ backgroundIndex: 0 });
    expect(none!.item).not.toHaveProperty('cx');
    expect(none!.item).not.toHaveProperty('uid');
  });

  it('property: the session entity is exactly the record\'s session, never the count so far as eventIndex', () => {
    const uuid = fc.uuid({ version: 4 });
    const record = fc.record({
      sessionId: uuid,
      sessionIndex: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      previousSessionId: fc.option(uuid),
      eventIndex: fc.nat({ max: 2 ** 31 - 1 }),
      firstEventId: uuid,
      firstEventTime: fc.integer({ min: 0, max: 4_102_444_800_000 }),
      foregroundIndex: fc.nat(),
      backgroundIndex: fc.nat(),
      deviceId: uuid,
    });
    const { mapper } = mapperOf();
    fc.assert(
      fc.property(record, fc.boolean(), (r, foreground) => {
        // No event yet: no first event either (as the hub sends it).
        const rec = lifecycleRecord(r.eventIndex === 0 ? { ...r, firstEventId: null, firstEventTime: null } : r);
        const [ev] = decode(foreground ? mapper.foreground(rec) : mapper.background(rec));
        expect(clientSession(ev!)).toEqual({
          userId: r.deviceId,
          sessionId: r.sessionId,
          sessionIndex: r.sessionIndex,
          previousSessionId: r.previousSessionId,
          eventIndex: null,
          firstEventId: rec.firstEventId,
          firstEventTimestamp: rec.firstEventTime === null ? null : new Date(rec.firstEventTime).toISOString(),
          storageMechanism: 'LOCAL_STORAGE',
        });
        expect(ev!.event!.data).toEqual(foreground ? { foregroundIndex: r.foregroundIndex } : { backgroundIndex: r.backgroundIndex });
      }),
      { numRuns: 100 },
    );
  });
});

describe('session events', () => {
  const sessionEvents = { start: 'iglu:com.acme/session_start/jsonschema/1-0-0', end: 'iglu:com.acme/session_end/jsonschema/1-0-0' };

  it('by default are structured events, so Snowplow sees every session: start labelled with its trigger, end with its reason and duration', () => {
    const { mapper } = mapperOf();
    const [start, end] = decode(mapper.sessionStart(startRecord())!, mapper.sessionEnd(endRecord())!);
    expect(start!.item).toMatchObject({ e: 'se', se_ca: 'sessionhub', se_ac: 'session_start', se_la: 'foreground', dtm: String(T0) });
    expect(start!.item).not.toHaveProperty('se_va');
    expect(end!.item).toMatchObject({ e: 'se', se_ca: 'sessionhub', se_ac: 'session_end', se_la: 'timeout', se_va: '20000', dtm: String(T0 + 20_000) });
    expect(clientSession(start!)).toEqual({ ...expectedSession(null), firstEventId: null, firstEventTimestamp: null });
    expect(clientSession(end!)).toEqual(expectedSession(null));
  });

  it('false turns them off, each or both', () => {
    for (const off of [false, { start: false, end: false }] as const) {
      const { mapper } = mapperOf({ sessionEvents: off });
      expect(mapper.sessionStart(startRecord())).toBeNull();
      expect(mapper.sessionEnd(endRecord())).toBeNull();
    }
    const { mapper } = mapperOf({ sessionEvents: { start: false } });
    expect(mapper.sessionStart(startRecord())).toBeNull();
    expect(mapper.sessionEnd(endRecord())).not.toBeNull();
  });

  it('start: the configured schema with the start record, dated at the start', () => {
    const [ev] = decode(mapperOf({ sessionEvents }).mapper.sessionStart(startRecord())!);
    expect(ev!.item.dtm).toBe(String(T0));
    expect(ev!.event).toEqual({
      schema: sessionEvents.start,
      data: { sessionId: SESSION, sessionIndex: 3, previousSessionId: PREVIOUS, trigger: 'foreground', startTime: '2026-01-01T12:00:00.000Z' },
    });
    expect(clientSession(ev!)).toEqual({ ...expectedSession(null), firstEventId: null, firstEventTimestamp: null });
  });

  it('end: the configured schema with the end record, dated at the end, the session entity from the record', () => {
    const { mapper } = mapperOf({ sessionEvents });
    const [ev, empty] = decode(mapper.sessionEnd(endRecord())!, mapper.sessionEnd(endRecord({ eventCount: 0, firstEventId: null, firstEventTime: null, lastEventTime: null }))!);
    expect(ev!.item.dtm).toBe(String(T0 + 20_000));
    expect(ev!.event).toEqual({
      schema: sessionEvents.end,
      data: {
        sessionId: SESSION, sessionIndex: 3, reason: 'timeout', startTime: '2026-01-01T12:00:00.000Z', endTime: '2026-01-01T12:00:20.000Z',
        duration: 20_000, foregroundDuration: 15_000, eventCount: 4, attributes: { plan: 'pro', songs: 3 },
      },
    });
    expect(clientSession(ev!)).toEqual(expectedSession(null));
    // A session without events has no first event.
    expect(clientSession(empty!)).toEqual({ ...expectedSession(null), firstEventId: null, firstEventTimestamp: null });
  });
});

describe('what snowplow/enrich fails an event for (decode checks it too: see enrichProblems)', () => {
  const SONG = 'iglu:com.acme/song_played/jsonschema/1-0-0';
  const CATCH_ALL = 'iglu:com.acme/generic_event/jsonschema/1-0-0';
  const cutWarning = (name: string, fields: string) => ({ message: `event "${name}": ${fields} cut to the length Snowplow's enrich takes (it fails the whole event when one is longer)` });
  /** `leaf` `n` levels down, in objects (`{ a: … }`) and arrays, alternately from the leaf up. */
  const nest = (n: number, leaf: unknown): unknown => {
    let v = leaf;
    for (let i = 0; i < n; i++) v = i % 2 ? [v] : { a: v };
    return v;
  };

  it('a category, label or property longer than enrich takes (1000, 4096, 1000, after its TSV cleaning) is cut there, a surrogate pair kept whole; one warning per event', () => {
    const { mapper, problems } = mapperOf();
    const [long, tabs, pair, fits] = decode(
      mapper.event(eventRecord({ name: 'long', attributes: { category: 'c'.repeat(1001), label: 'l'.repeat(5000), property: 'p'.repeat(1001), other: 1 } })),
      mapper.event(eventRecord({ name: 'tabs', attributes: { label: 'a\t'.repeat(820), property: 'b\u0000'.repeat(600) } })),
      mapper.event(eventRecord({ name: 'pair', attributes: { label: 'x'.repeat(4095) + '😀' } })),
      mapper.event(eventRecord({ name: 'fits', attributes: { label: 'y'.repeat(4096), category: '\t'.repeat(250) } })),
    );
    expect(long!.item).toMatchObject({ se_ca: 'c'.repeat(1000), se_la: 'l'.repeat(4096), se_pr: 'p'.repeat(1000) });
    // As enrich would store them (a tab as four spaces), cut; a property that fits once cleaned goes as it is.
    expect(tabs!.item).toMatchObject({ se_la: 'a    '.repeat(820).slice(0, 4096), se_pr: 'b\u0000'.repeat(600) });
    expect(pair!.item.se_la).toBe('x'.repeat(4095));
    expect(fits!.item).toMatchObject({ se_la: 'y'.repeat(4096), se_ca: '\t'.repeat(250) });
    // One warning per event, with what else it says of the event (a cut category is not unsent).
    expect(problems).toEqual([
      { message: 'event "long" went as a structured event without "other": map it in "events" or set "catchAllSchema" ' + cutWarning('long', 'se_ca, se_la, se_pr').message },
      cutWarning('tabs', 'se_la'),
      cutWarning('pair', 'se_la'),
    ]);
  });

  it('property: a label or property goes as it is when enrich takes it, else as enrich would store it, cut at the limit', () => {
    const piece = fc.constantFrom('a', '\t', '\u0001', '\n', '😀', '\ud83d', '\ude00', 'é');
    const text = fc.tuple(fc.nat(4200), fc.array(piece, { maxLength: 30 }), fc.array(piece, { maxLength: 30 })).map(([n, before, after]) => before.join('') + 'z'.repeat(n) + after.join(''));
    fc.assert(
      fc.property(text, text, (label, property) => {
        const { mapper, problems } = mapperOf();
        const [ev] = decode(mapper.event(eventRecord({ name: 's', attributes: { category: 'c', label, property } })));
        const cut: string[] = [];
        for (const [field, given, max] of [['se_la', label, 4096], ['se_pr', property, 1000]] as const) {
          const sent = ev!.item[field]!;
          const safe = tsvSafe(given);
          if (safe.length <= max) expect(sent).toBe(given);
          else {
            cut.push(field);
            // Cut before a pair's second half, never after its first.
            expect(sent).toBe(safe.slice(0, /[\ud800-\udbff]/.test(safe[max - 1]!) ? max - 1 : max));
          }
        }
        expect(problems).toEqual(cut.length ? [cutWarning('s', cut.join(', '))] : []);
      }),
      { numRuns: 200 },
    );
  });

  it('se_va: a decimal whose exponent has more than 8 digits is not sent (BigDecimal fails from 11 digits, setScale(0) from ~5.4e8)', () => {
    const { mapper } = mapperOf();
    for (const [value, sent] of [['1e99999999', '1e99999999'], ['-2.5E-12345678', '-2.5E-12345678'], ['1e999999999', undefined], ['1e+10000000000', undefined]] as const) {
      const [ev] = decode(mapper.event(eventRecord({ name: 'v', attributes: { value } })));
      expect([value, ev!.item.se_va]).toEqual([value, sent]);
    }
  });

  it('attributes nested past enrich\'s maxJsonDepth 40: what has members at the deepest level it takes goes as its JSON text, with a warning', () => {
    for (const [options, deepest] of [[{ events: { song_played: SONG } }, 37], [{ catchAllSchema: CATCH_ALL }, 36]] as const) {
      const { mapper, problems } = mapperOf(options);
      const data = (ev: DecodedEvent | undefined) => ('catchAllSchema' in options ? (ev!.event!.data as { attributes: unknown }).attributes : ev!.event!.data);
      // (x is at depth 1: its leaf at `deepest`.)
      const fits = { x: nest(deepest - 1, 'end'), empty: nest(deepest - 1, {}), list: nest(deepest - 1, []) };
      const [ok, over] = decode(mapper.event(eventRecord({ attributes: fits })), mapper.event(eventRecord({ attributes: { x: nest(deepest - 1, { b: [1] }), y: nest(deepest + 5, 2), kept: 1 } })));
      expect(data(ok)).toEqual(fits);
      expect(data(over)).toEqual({ x: nest(deepest - 1, '{"b":[1]}'), y: nest(deepest - 1, JSON.stringify(nest(6, 2))), kept: 1 });
      expect(problems).toEqual([{ message: 'event "song_played": attribute values JSON cannot hold, or nested deeper than Snowplow\'s enrich takes (40 levels in all), were sent as text' }]);
    }
  });

  it('property: attributes at any depth are sent as enrich takes them, as they are when it takes them, warned otherwise', () => {
    const leaf = fc.constantFrom<unknown>(1, 'x', null, {}, [], { k: 1n }, [[]]);
    const value = fc.tuple(fc.integer({ min: 30, max: 45 }), leaf).map(([d, l]) => nest(d, l));
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('a', 'b', 'c'), value, { maxKeys: 3 }) as fc.Arbitrary<Record<string, unknown>>, fc.boolean(), (attributes, catchAll) => {
        const { mapper, problems } = mapperOf(catchAll ? { catchAllSchema: CATCH_ALL } : { events: { song_played: SONG } });
        const [ev] = decode(mapper.event(eventRecord({ attributes })));
        const sent = catchAll ? (ev!.event!.data as { attributes: unknown }).attributes : ev!.event!.data;
        const lossless = !JSON.stringify(attributes, (_, v: unknown) => (typeof v == 'bigint' ? 'bigint' : v)).includes('bigint');
        const wrapped = { data: { data: catchAll ? { attributes } : attributes } };
        expect(problems.length).toBe(lossless && !exceedsJsonDepth(JSON.parse(JSON.stringify(wrapped))) ? 0 : 1);
        if (!problems.length) expect(sent).toEqual(attributes);
      }),
      { numRuns: 200 },
    );
  });

  it('an entity of entitiesFor nested past maxJsonDepth 40 (its data\'s members at level 37) is left out, with a warning', () => {
    const deep = { schema: SONG, data: { a: nest(36, 1) } };
    const fits = { schema: SONG, data: { a: nest(35, 1) } };
    const { mapper, problems } = mapperOf({ entitiesFor: () => [deep, fits] });
    const [ev] = decode(mapper.event(eventRecord({ attributes: { label: 'x' } })));
    expect(ev!.entities.map((e) => e.data)).toEqual([expect.anything(), fits.data]);
    expect(problems).toEqual([{ message: `entitiesFor, event "song_played": an entity (${SONG}) has data nested deeper than Snowplow's enrich takes (40 levels in all, 36 in data), which fails the event; left out` }]);
  });

  it('platform web: a page URL or referrer longer than enrich takes is cut part by part (path, query, fragment; an escape kept whole), one warning per event', () => {
    const url = 'https://shop.test/' + 'p'.repeat(3500) + '?x' + 'q=%41'.repeat(1300) + '#' + 'f'.repeat(3500);
    const refr = 'https://search.test/' + 'r'.repeat(7000) + '?q=1';
    const { mapper, problems } = mapperOf({ platform: 'web', events: { song_played: SONG } }, { page: () => ({ url, refr, vp: '800x600' }) });
    const [ev, lc] = decode(mapper.event(eventRecord()), mapper.background(lifecycleRecord()));
    // Path 3,000 (with its /), query 6,000 ('x', 1,199 'q=%41', 'q=' and not the '%' after), the fragment what the 10,000 leave.
    const query = 'x' + 'q=%41'.repeat(1199) + 'q=';
    const head = 'https://shop.test/' + 'p'.repeat(2999) + '?' + query;
    expect(ev!.item.url).toBe(head + '#' + 'f'.repeat(10_000 - head.length - 1));
    expect(ev!.item.refr).toBe('https://search.test/' + 'r'.repeat(5999) + '?q=1');
    expect(lc!.item).toMatchObject({ url: ev!.item.url, refr: ev!.item.refr, vp: '800x600' });
    expect(problems).toEqual([cutWarning('song_played', 'url, refr'), cutWarning('application_background', 'url, refr')]);
  });

  it('property: any page URL or referrer is sent as enrich takes it, as it is when it does', () => {
    const part = (max: number) => fc.tuple(fc.nat(max), fc.constantFrom('', '%', '%4', '%41')).map(([n, end]) => 'a'.repeat(n) + end);
    const url = fc.tuple(part(7000), fc.option(part(7000)), fc.option(part(4000))).map(([p, q, f]) => 'https://h.test/' + p + (q === null ? '' : '?' + q) + (f === null ? '' : '#' + f));
    fc.assert(
      fc.property(url, url, (u, r) => {
        const { mapper, problems } = mapperOf({ platform: 'web', events: { song_played: SONG } }, { page: () => ({ url: u, refr: r }) });
        const [ev] = decode(mapper.event(eventRecord()));
        const cut: string[] = [];
        for (const [field, given, path] of [['url', u, 3000], ['refr', r, 6000]] as const) {
          const { path: p, query, fragment } = urlParts(given);
          if (given.length <= 10_000 && p.length <= path && query.length <= 6000 && fragment.length <= 3000) expect(ev!.item[field]).toBe(given);
          else cut.push(field), expect(ev!.item[field]).not.toBe(given);
        }
        expect(problems).toEqual(cut.length ? [cutWarning('song_played', cut.join(', '))] : []);
      }),
      { numRuns: 200 },
    );
  });
});
