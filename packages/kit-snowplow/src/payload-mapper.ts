import type { EventRecord, LifecycleRecord, SessionEndRecord, SessionStartRecord } from '@sessionhub/core';
import { attributesJson } from './attributes-json';
import { base64url } from './base64url';
import { clientSessionPrefix, closeClientSession, type ClientSessionIdentity } from './client-session';
import {
  APPLICATION_BACKGROUND_SCHEMA,
  APPLICATION_FOREGROUND_SCHEMA,
  CONTEXTS_SCHEMA,
  UNSTRUCT_EVENT_SCHEMA,
  selfDescribingJsonProblem,
} from './iglu';
import { isoTime } from './iso-time';
import type { ResolvedEventMapping, ResolvedSnowplowOptions } from './options';
import { structuredFields, unstructuredKeys } from './structured-event';
import type { TrackerPayload } from './tracker-payload';
import { utf8Length } from './utf8-length';
import { TRACKER_VERSION } from './version';

/** Something the mapping had to work around; the kit logs it. The event is still sent. */
export interface MappingProblem {
  readonly code: 'attributes-not-json' | 'entities-for-failed' | 'invalid-entity' | 'structured-attributes-dropped' | 'structured-value-invalid';
  readonly message: string;
  readonly error?: unknown;
}

/** What the mapping needs from outside: ids for events the hub did not number, and a place for problems. */
export interface PayloadMapperEnv {
  /** A new UUID v4 (lifecycle and session events have no hub event id). */
  newId(): string;
  report(problem: MappingProblem): void;
}

/**
 * Canonical records → Snowplow tracker-protocol payload items.
 *
 * Item fields: `e`, `eid`, `dtm`, `tv`, `p`, `aid`, `tna`, `uid` (when the hub has a user), then the
 * event (`ue_px`/`ue_pr` or `se_*`) and the entities (`cx`/`co`: `client_session` first, then the
 * global, per-name and per-event entities).
 */
export interface PayloadMapper {
  /** A hub event: a self-describing event (mapped name or catch-all) or a structured event. */
  event(record: EventRecord): TrackerPayload;
  /** `application_foreground` 1-0-0 with the session's `foregroundIndex`, and the session entity. */
  foreground(record: LifecycleRecord): TrackerPayload;
  /** `application_background` 1-0-0 with the session's `backgroundIndex`, and the session entity when a session is live. */
  background(record: LifecycleRecord): TrackerPayload;
  /** The configured session start event, or null when none is configured. */
  sessionStart(record: SessionStartRecord): TrackerPayload | null;
  /** The configured session end event (dated at the session's end), or null when none is configured. */
  sessionEnd(record: SessionEndRecord): TrackerPayload | null;
}

const CONTEXTS_HEAD = '{"schema":"' + CONTEXTS_SCHEMA + '","data":[';
const UNSTRUCT_HEAD = '{"schema":"' + UNSTRUCT_EVENT_SCHEMA + '","data":';
const NO_MAPPING: ResolvedEventMapping = { schema: null, entitiesJson: '' };
/** Warnings given once per event name, bounded so a stream of names cannot grow the set. */
const MAX_WARNED = 256;

const join = (a: string, b: string): string => (a === '' ? b : b === '' ? a : a + ',' + b);
const quote = (v: string | null): string => (v === null ? 'null' : JSON.stringify(v));
const sd = (schema: string, data: string): string => '{"schema":"' + schema + '","data":' + data + '}';

/**
 * Creates the mapping for resolved options: pure apart from the injected ids and problem reports;
 * it keeps only a per-session memo of the `client_session` JSON and of the user's `uid` field.
 */
export function createPayloadMapper(options: ResolvedSnowplowOptions, env: PayloadMapperEnv): PayloadMapper {
  const { events, catchAllSchema, globalEntitiesJson, entitiesFor, storageMechanism, encodeBase64 } = options;
  // The same in every item.
  const constant =
    ',"tv":' + JSON.stringify(TRACKER_VERSION) + ',"p":' + JSON.stringify(options.platform) +
    ',"aid":' + JSON.stringify(options.appId) + ',"tna":' + JSON.stringify(options.namespace);
  const warned = new Set<string>();
  let memoSession: string | null = null;
  let memoFirst: string | null = null;
  let memoDevice = '';
  let memoPrefix = '';
  let memoUser: string | null = null;
  let memoUid = '';

  const once = (key: string): boolean => warned.size < MAX_WARNED && !warned.has(key) && !!warned.add(key);
  const report = (code: MappingProblem['code'], message: string, error?: unknown): void =>
    env.report(error === undefined ? { code, message } : { code, message, error });

  const item = (e: 'ue' | 'se', eid: string, dtm: number, userId: string | null, body: string, entities: string): TrackerPayload => {
    let json = '{"e":"' + e + '","eid":' + JSON.stringify(eid) + ',"dtm":"' + Math.round(dtm) + '"' + constant;
    if (userId !== null) {
      if (userId !== memoUser) {
        memoUser = userId;
        memoUid = ',"uid":' + JSON.stringify(userId);
      }
      json += memoUid;
    }
    json += body;
    if (entities !== '') {
      const contexts = CONTEXTS_HEAD + entities + ']}';
      json += encodeBase64 ? ',"cx":"' + base64url(contexts) + '"' : ',"co":' + JSON.stringify(contexts);
    }
    json += '}';
    return { eid, json, bytes: utf8Length(json) };
  };

  /** `ue_px` / `ue_pr`: a self-describing event JSON wrapped in `unstruct_event` 1-0-0. */
  const unstruct = (event: string): string => {
    const wrapped = UNSTRUCT_HEAD + event + '}';
    return encodeBase64 ? ',"ue_px":"' + base64url(wrapped) + '"' : ',"ue_pr":' + JSON.stringify(wrapped);
  };

  const attributes = (record: EventRecord): string =>
    attributesJson(record.attributes, (error) =>
      report('attributes-not-json', `event "${record.name}": attribute values JSON cannot hold were sent as strings`, error),
    );

  const structured = (record: EventRecord): string => {
    const name = record.name;
    const fields = structuredFields(name, record.attributes, options.structuredEventCategory);
    if (fields.badValue && once(name + '\0v')) {
      report('structured-value-invalid', `event "${name}": "value" must be a finite number to become se_va; left out (reported once per name)`);
    }
    if (warned.size < MAX_WARNED && !warned.has(name)) {
      const dropped = unstructuredKeys(record.attributes);
      if (dropped.length > 0 && once(name)) {
        report(
          'structured-attributes-dropped',
          `event "${name}" has no Iglu schema, so it goes as a structured event (category, label, property, value only): ` +
            `${dropped.map((k) => JSON.stringify(k)).join(', ')} not sent. Map it in "events" or set "catchAllSchema" to keep them (reported once per name)`,
        );
      }
    }
    return fields.json;
  };

  /** The user's per-event entities: validated, serialized once; a failure costs the entities, never the event. */
  const dynamicEntities = (record: EventRecord, generate: NonNullable<ResolvedSnowplowOptions['entitiesFor']>): string => {
    let list: unknown;
    try {
      list = generate(record);
    } catch (error) {
      report('entities-for-failed', `entitiesFor threw for event "${record.name}"; sent without its entities`, error);
      return '';
    }
    if (list === null || list === undefined) return '';
    if (!Array.isArray(list)) {
      report('entities-for-failed', `entitiesFor must return an array of { schema, data } (event "${record.name}"); ignored`);
      return '';
    }
    let json = '';
    const out = { json: '' };
    for (let i = 0; i < list.length; i++) {
      const problem = selfDescribingJsonProblem(list[i], out);
      if (problem === null) json = join(json, out.json);
      else report('invalid-entity', `entitiesFor, event "${record.name}", entity ${i} ${problem}; left out`);
    }
    return json;
  };

  const session = (s: ClientSessionIdentity): string => clientSessionPrefix(s, storageMechanism);

  // Lifecycle and session events are not hub events: they take no place in the hub's count, so their
  // eventIndex is null (the record's eventIndex is the count so far, the index of the event before).
  const lifecycle = (record: LifecycleRecord, event: string): TrackerPayload => {
    const entities = record.sessionId === null ? '' : closeClientSession(session(record as ClientSessionIdentity), null);
    return item('ue', env.newId(), record.timestamp, record.userId, unstruct(event), join(entities, globalEntitiesJson));
  };

  return {
    event(record) {
      const name = record.name;
      const mapping = events.get(name) ?? NO_MAPPING;
      let body: string;
      if (mapping.schema !== null) body = unstruct(sd(mapping.schema, attributes(record)));
      else if (catchAllSchema !== null) body = unstruct(sd(catchAllSchema, '{"name":' + JSON.stringify(name) + ',"attributes":' + attributes(record) + '}'));
      else body = structured(record);
      let entities = '';
      if (record.sessionId !== null) {
        // Rebuilt only when the session or its first event changes; only eventIndex differs per event.
        if (record.sessionId !== memoSession || record.firstEventId !== memoFirst || record.deviceId !== memoDevice) {
          memoSession = record.sessionId;
          memoFirst = record.firstEventId;
          memoDevice = record.deviceId;
          memoPrefix = session(record as ClientSessionIdentity);
        }
        entities = closeClientSession(memoPrefix, record.eventIndex);
      }
      entities = join(join(entities, globalEntitiesJson), mapping.entitiesJson);
      if (entitiesFor !== null) entities = join(entities, dynamicEntities(record, entitiesFor));
      return item(mapping.schema !== null || catchAllSchema !== null ? 'ue' : 'se', record.eventId.toLowerCase(), record.timestamp, record.userId, body, entities);
    },

    foreground: (record) => lifecycle(record, sd(APPLICATION_FOREGROUND_SCHEMA, '{"foregroundIndex":' + record.foregroundIndex + '}')),

    background: (record) => lifecycle(record, sd(APPLICATION_BACKGROUND_SCHEMA, '{"backgroundIndex":' + record.backgroundIndex + '}')),

    sessionStart(record) {
      const schema = options.sessionStartSchema;
      if (schema === null) return null;
      const data =
        '{"sessionId":' + JSON.stringify(record.sessionId) + ',"sessionIndex":' + record.sessionIndex +
        ',"previousSessionId":' + quote(record.previousSessionId) + ',"trigger":' + JSON.stringify(record.trigger) +
        ',"startTime":' + quote(isoTime(record.startTime)) + '}';
      const entities = closeClientSession(session({ ...record, firstEventId: null, firstEventTime: null }), null);
      return item('ue', env.newId(), record.startTime, record.userId, unstruct(sd(schema, data)), join(entities, globalEntitiesJson));
    },

    sessionEnd(record) {
      const schema = options.sessionEndSchema;
      if (schema === null) return null;
      const data =
        '{"sessionId":' + JSON.stringify(record.sessionId) + ',"sessionIndex":' + record.sessionIndex +
        ',"reason":' + JSON.stringify(record.reason) + ',"startTime":' + quote(isoTime(record.startTime)) +
        ',"endTime":' + quote(isoTime(record.endTime)) + ',"duration":' + record.duration +
        ',"foregroundDuration":' + record.foregroundDuration + ',"eventCount":' + record.eventCount +
        ',"attributes":' + attributesJson(record.attributes, () => undefined) + '}';
      const entities = closeClientSession(session(record), null);
      return item('ue', env.newId(), record.endTime, record.userId, unstruct(sd(schema, data)), join(entities, globalEntitiesJson));
    },
  };
}
