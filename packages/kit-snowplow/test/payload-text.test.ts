import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SnowplowKitOptions } from '@sessionhub/kit-snowplow';
import { createPayloadMapper, resolveSnowplowOptions, type PayloadMapper, type PayloadMapperEnv } from '@sessionhub/kit-snowplow/protocol';
import { endRecord, eventRecord, lifecycleRecord, startRecord } from './records';
import { referencePayloadMapper } from './reference-mapper';

// Any UTF-16 text, lone surrogates included, and ids that are mostly UUIDs (the hub's) but not always.
const anyText = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 30 }),
);
const id = fc.oneof(fc.uuid({ version: 4 }), fc.uuid({ version: 4 }).map((u) => u.toUpperCase()), anyText);
const time = fc.integer({ min: 0, max: 4_102_444_800_000 });
const SCHEMA = 'iglu:com.acme/song_played/jsonschema/1-0-0';
const entity = fc.oneof(
  fc.record({ schema: fc.constantFrom(SCHEMA, 'iglu:com.acme/cart/jsonschema/1-0-0'), data: fc.jsonValue({ maxDepth: 2 }) }),
  fc.anything({ maxDepth: 1 }),
);

const options = fc.record({
  encodeBase64: fc.boolean(),
  platform: fc.constantFrom('web', 'mob', 'srv'),
  appId: anyText.filter((s) => s.trim().length > 0),
  catchAll: fc.boolean(),
  global: fc.array(fc.record({ schema: fc.constant(SCHEMA), data: fc.jsonValue({ maxDepth: 1 }) }), { maxLength: 2 }),
  perName: fc.array(fc.record({ schema: fc.constant(SCHEMA), data: fc.jsonValue({ maxDepth: 1 }) }), { maxLength: 2 }),
  perEvent: fc.option(fc.array(entity, { maxLength: 3 })),
  sessionEvents: fc.constantFrom<SnowplowKitOptions['sessionEvents']>(undefined, false, { start: 'iglu:com.acme/s/jsonschema/1-0-0' }, { end: 'iglu:com.acme/e/jsonschema/1-0-0', start: false }),
  page: fc.option(fc.dictionary(fc.constantFrom('url', 'refr', 'vp', 'lang', 'tz', 'res'), fc.option(anyText, { nil: undefined }))),
  adopted: fc.option(fc.record({ userId: fc.uuid({ version: 4 }), visits: fc.nat(1000) })),
});

/** One call of the mapping, with what its record may differ in. */
const call = fc.record({
  kind: fc.constantFrom('event', 'event', 'event', 'foreground', 'background', 'start', 'end'),
  name: fc.oneof(fc.constantFrom('song_played', 'tap'), anyText),
  attributes: fc.dictionary(anyText, fc.oneof(fc.jsonValue({ maxDepth: 2 }), anyText)),
  sessionAttributes: fc.dictionary(anyText, fc.oneof(anyText, fc.double(), fc.boolean(), fc.constant(null))),
  eventId: id,
  timestamp: fc.oneof(time, fc.double({ min: 0, max: 4e12, noNaN: true })),
  // Often the same session for several calls in a row (the memos), sometimes none.
  session: fc.option(fc.record({ sessionId: fc.oneof(fc.constant('7c9e6679-7425-40de-944b-e07fc1f90ae7'), id), sessionIndex: fc.nat(2 ** 31 - 1), previousSessionId: fc.option(id), firstEventId: fc.option(id), firstEventTime: fc.option(time) }), { freq: 4 }),
  userId: fc.option(anyText),
  deviceId: fc.oneof(fc.constant('0f8fad5b-d9cb-469f-a165-70867728950e'), id),
  eventIndex: fc.nat(1000),
});

describe('payload text', () => {
  it('property: the items written as text are exactly JSON.stringify of the tracker-protocol objects, for any records and options', () => {
    fc.assert(
      fc.property(options, fc.array(call, { minLength: 1, maxLength: 12 }), (o, calls) => {
        const resolved = resolveSnowplowOptions(
          {
            collectorUrl: 'https://collector.test',
            appId: o.appId,
            platform: o.platform as SnowplowKitOptions['platform'],
            encodeBase64: o.encodeBase64,
            events: { song_played: { schema: SCHEMA, entities: o.perName } },
            ...(o.catchAll ? { catchAllSchema: 'iglu:com.acme/generic/jsonschema/1-0-0' } : {}),
            globalEntities: o.global as never[],
            ...(o.perEvent ? { entitiesFor: () => o.perEvent as never[] } : {}),
            ...(o.sessionEvents === undefined ? {} : { sessionEvents: o.sessionEvents }),
          },
          o.platform == 'web',
        );
        const make = (create: typeof createPayloadMapper): [PayloadMapper, string[]] => {
          let n = 0;
          const reports: string[] = [];
          const env: PayloadMapperEnv = {
            newId: () => 'id-' + n++,
            report: (message) => void reports.push(message),
            ...(o.page ? { page: () => ({ ...o.page }) } : {}),
            adopted: o.adopted,
          };
          return [create(resolved, env), reports];
        };
        const [mapper, reports] = make(createPayloadMapper);
        const [reference, referenceReports] = make(referencePayloadMapper);
        for (const c of calls) {
          const s = c.session;
          const common = {
            sessionId: s?.sessionId ?? null,
            sessionIndex: s?.sessionIndex ?? 0,
            previousSessionId: s?.previousSessionId ?? null,
            firstEventId: s?.firstEventId ?? null,
            firstEventTime: s?.firstEventTime ?? null,
            userId: c.userId,
            deviceId: c.deviceId,
          };
          const text = (m: PayloadMapper): string | null => {
            switch (c.kind) {
              case 'event':
                return m.event(eventRecord({ ...common, eventId: c.eventId, name: c.name, attributes: c.attributes, timestamp: c.timestamp, eventIndex: c.eventIndex }));
              case 'foreground':
                return m.foreground(lifecycleRecord({ ...common, timestamp: c.timestamp, foregroundIndex: c.eventIndex }));
              case 'background':
                return m.background(lifecycleRecord({ ...common, timestamp: c.timestamp, backgroundIndex: c.eventIndex }));
              case 'start':
                return s ? m.sessionStart(startRecord({ ...common, sessionId: s.sessionId, startTime: c.timestamp })) : null;
              default:
                return s ? m.sessionEnd(endRecord({ ...common, sessionId: s.sessionId, endTime: c.timestamp, attributes: c.sessionAttributes })) : null;
            }
          };
          expect(text(mapper)).toBe(text(reference));
        }
        expect(reports).toEqual(referenceReports);
      }),
      // 150, not 400: at fast-check's 'medium' base size (vitest.setup.ts) each run's records, dictionaries
      // and JSON values are several times larger, and 400 runs took 19 s of the suite (150: ~7 s).
      { numRuns: 150 },
    );
    // (Its time follows the sizes drawn and the machine's load: 9-11 s in .ci/run, 21.7 s, past the
    // suite's 20 s, on a machine with both cores busy: a bound that load cannot fail.)
  }, 60_000);
});
