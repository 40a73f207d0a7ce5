/**
 * The Snowplow mapping as it was before items were written as text directly: each item built as an
 * object and serialized with JSON.stringify, base64url by Node's Buffer. Kept as the oracle of a
 * property test: the kit's mapping must give the very same text for any record and options.
 */
import type { EventRecord, LifecycleRecord, SessionEndRecord, SessionStartRecord } from '@sessionhub/core';
import type { PayloadMapper, PayloadMapperEnv, ResolvedSnowplowOptions, TrackerPayload } from '@sessionhub/kit-snowplow/protocol';
import { attributesJson } from '../src/attributes-json';
import type { SessionContext } from '../src/client-session';
import {
  APPLICATION_BACKGROUND_SCHEMA,
  APPLICATION_FOREGROUND_SCHEMA,
  CLIENT_SESSION_SCHEMA,
  CONTEXTS_SCHEMA,
  UNSTRUCT_EVENT_SCHEMA,
  selfDescribing,
  selfDescribingJson,
} from '../src/iglu';
import { message } from '../src/messages';
import { structuredFields, unsentAttributes } from '../src/structured-event';
import { TRACKER_VERSION } from '../src/version';
import { fitUrl } from '../src/page-url';

const isoTime = (ms: number): string => new Date(ms).toISOString();
const base64url = (text: string): string => Buffer.from(text).toString('base64url');

function clientSessionMaker(storageMechanism: string, userId?: string, visits = 0): (s: SessionContext, eventIndex: number | null) => string {
  let last: SessionContext | undefined;
  let head = '';
  return (s, eventIndex) => {
    if (s.sessionId !== last?.sessionId || s.firstEventId !== last.firstEventId || s.deviceId !== last.deviceId) {
      last = s;
      const time = s.firstEventTime;
      head = JSON.stringify({
        userId: (userId ?? s.deviceId).toLowerCase(),
        sessionId: s.sessionId.toLowerCase(),
        sessionIndex: s.sessionIndex + visits,
        previousSessionId: s.previousSessionId?.toLowerCase() ?? null,
        firstEventId: s.firstEventId?.toLowerCase() ?? null,
        firstEventTimestamp: time == null ? null : isoTime(time),
        storageMechanism,
      }).slice(0, -1);
    }
    return selfDescribing(CLIENT_SESSION_SCHEMA, head + ',"eventIndex":' + eventIndex + '}');
  };
}

type AnyRecord = EventRecord | LifecycleRecord | SessionStartRecord | SessionEndRecord;

export function referencePayloadMapper(options: ResolvedSnowplowOptions, env: PayloadMapperEnv): PayloadMapper {
  const { events, catchAllSchema, globalEntitiesJson, entitiesFor, sessionEvents, encodeBase64 } = options;
  const constant = { tv: TRACKER_VERSION, p: options.platform, aid: options.appId, tna: options.namespace };
  const { page, adopted } = env;
  const web = options.platform == 'web';
  const visits = adopted ? adopted.visits : 0;
  const clientSession = clientSessionMaker(options.storageMechanism, adopted?.userId, visits);
  const warned = new Set<string>();
  const encode = (json: string): string => (encodeBase64 ? base64url(json) : json);

  const item = (record: AnyRecord, e: string, eid: string, dtm: number, eventIndex: number | null, event: object, name: string, notes: string[], cut: string[], ...entities: string[]): TrackerPayload => {
    const live = record.sessionId !== null;
    const fields = page?.();
    const url = fields?.url && fitUrl(fields.url, 3000, 'url', cut);
    const refr = fields?.refr && fitUrl(fields.refr, 6000, 'refr', cut);
    if (cut.length) notes.push(message(527, name, cut.join(', ')));
    if (notes.length) env.report(notes.join(' '));
    const json = [live ? clientSession(record as SessionContext, eventIndex) : '', globalEntitiesJson, ...entities].filter((x) => x).join();
    return JSON.stringify({
      e,
      eid: eid.toLowerCase(),
      dtm: '' + Math.round(dtm),
      ...constant,
      uid: record.userId ?? undefined,
      ...(web && {
        duid: (adopted ? adopted.userId : record.deviceId).toLowerCase(),
        sid: live ? record.sessionId.toLowerCase() : undefined,
        vid: live ? '' + (record.sessionIndex + visits) : undefined,
      }),
      ...fields,
      ...(fields && 'url' in fields && { url }),
      ...(fields && 'refr' in fields && { refr }),
      ...event,
      [encodeBase64 ? 'cx' : 'co']: json ? encode(selfDescribing(CONTEXTS_SCHEMA, '[' + json + ']')) : undefined,
    });
  };

  const unstruct = (schema: string, data: string): object => ({
    [encodeBase64 ? 'ue_px' : 'ue_pr']: encode(selfDescribing(UNSTRUCT_EVENT_SCHEMA, selfDescribing(schema, data))),
  });

  const other = (record: Exclude<AnyRecord, EventRecord>, time: number, schema: string, data: object, name: string): TrackerPayload =>
    item(record, 'ue', env.newId(), time, null, unstruct(schema, JSON.stringify(data)), name, [], []);

  const session = (r: SessionStartRecord | SessionEndRecord, time: number, schema: string | null | false, action: string, label: string, value: number | undefined, data: object): TrackerPayload | null =>
    schema === false ? null :
    schema ? other(r, time, schema, data, action) :
    item(r, 'se', env.newId(), time, null, { se_ca: 'sessionhub', se_ac: action, se_la: label, se_va: value === undefined ? value : '' + value }, action, [], []);

  return {
    event(record) {
      const { name, attributes } = record;
      const mapping = events.get(name);
      const schema = mapping?.schema ?? catchAllSchema;
      let event: object;
      const notes: string[] = [];
      const cut: string[] = [];
      if (schema === null) {
        const se = structuredFields(name, attributes, options.structuredEventCategory, cut);
        event = se;
        if (warned.size < 256 && !warned.has(name)) {
          const unsent = unsentAttributes(attributes, se);
          if (unsent.length) {
            warned.add(name);
            notes.push(message(520, name, JSON.stringify(unsent).slice(1, -1)));
          }
        }
      } else {
        const data = attributesJson(attributes, () => notes.push(message(521, name)), mapping?.schema ? 37 : 36);
        event = unstruct(schema, mapping?.schema ? data : '{"name":' + JSON.stringify(name) + ',"attributes":' + data + '}');
      }
      let perEvent: string[] = [];
      try {
        if (entitiesFor) {
          perEvent = [...(entitiesFor(record) ?? [])].map((entity) =>
            selfDescribingJson(entity, (problem) => env.report(message(522, name, problem))),
          );
        }
      } catch (error) {
        env.report(message(523, name), error);
      }
      return item(record, schema === null ? 'se' : 'ue', record.eventId.toLowerCase(), record.timestamp, record.eventIndex, event, name, notes, cut,
        mapping?.entitiesJson ?? '', ...perEvent);
    },
    foreground: (r) => other(r, r.timestamp, APPLICATION_FOREGROUND_SCHEMA, { foregroundIndex: r.foregroundIndex }, 'application_foreground'),
    background: (r) => other(r, r.timestamp, APPLICATION_BACKGROUND_SCHEMA, { backgroundIndex: r.backgroundIndex }, 'application_background'),
    sessionStart: (r) =>
      session(r, r.startTime, sessionEvents.start, 'session_start', r.trigger, undefined, {
        sessionId: r.sessionId.toLowerCase(), sessionIndex: r.sessionIndex + visits, previousSessionId: r.previousSessionId?.toLowerCase() ?? null, trigger: r.trigger, startTime: isoTime(r.startTime),
      }),
    sessionEnd: (r) =>
      session(r, r.endTime, sessionEvents.end, 'session_end', r.reason, r.duration, {
        sessionId: r.sessionId.toLowerCase(), sessionIndex: r.sessionIndex + visits, reason: r.reason, startTime: isoTime(r.startTime), endTime: isoTime(r.endTime),
        duration: r.duration, foregroundDuration: r.foregroundDuration, eventCount: r.eventCount, attributes: r.attributes,
      }),
  };
}
