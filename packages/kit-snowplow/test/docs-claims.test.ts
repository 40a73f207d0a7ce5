/**
 * Claims of docs/kits/snowplow.md checked against the kit (an audit of the page): each test names
 * the claim it holds the kit to.
 */
import { describe, expect, it } from 'vitest';
import type { SnowplowKitOptions } from '@sessionhub/kit-snowplow';
import { createPayloadMapper, resolveSnowplowOptions, trackerRequest, type PayloadMapperEnv, type TrackerPayload } from '@sessionhub/kit-snowplow/protocol';
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
