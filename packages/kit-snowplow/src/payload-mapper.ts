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
import type { SessionView } from './session-view';
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

const CONTEXTS_HEAD = '{"schema":"' + CONTEXTS_SCHEMA + '","data":[';
const UNSTRUCT_HEAD = '{"schema":"' + UNSTRUCT_EVENT_SCHEMA + '","data":';
const NO_MAPPING: ResolvedEventMapping = { schema: null, entitiesJson: '' };
/** Event names warned about (structured events dropping attributes), bounded so a stream of names cannot grow it. */
const MAX_WARNED_NAMES = 256;

const join = (a: string, b: string): string => (a === '' ? b : b === '' ? a : a + ',' + b);
const quote = (v: string | null): string => (v === null ? 'null' : JSON.stringify(v));
const dtmOf = (t: number): string => String(Number.isInteger(t) ? t : Math.round(t));

/**
 * Canonical records → Snowplow tracker-protocol payload items (pure apart from the injected ids and
 * problem reports; it keeps only a per-session memo of the `client_session` JSON).
 *
 * Item fields: `e`, `eid`, `dtm`, `tv`, `p`, `aid`, `tna`, `uid` (when the hub has a user), then the
 * event (`ue_px`/`ue_pr` or `se_*`) and the entities (`cx`/`co`: `client_session` first, then the
 * global, per-name and per-event entities).
 */
export class PayloadMapper {
  /** `,"tv":…,"p":…,"aid":…,"tna":…` — the same in every item. */
  private readonly constantFields: string;
  private readonly warnedNames = new Set<string>();
  private memoSession: string | null = null;
  private memoFirstEventId: string | null = null;
  private memoDeviceId = '';
  private memoPrefix = '';
  private memoUser: string | null = null;
  private memoUserJson = '';

  constructor(
    private readonly options: ResolvedSnowplowOptions,
    private readonly env: PayloadMapperEnv,
  ) {
    this.constantFields =
      ',"tv":' + JSON.stringify(TRACKER_VERSION) + ',"p":' + JSON.stringify(options.platform) +
      ',"aid":' + JSON.stringify(options.appId) + ',"tna":' + JSON.stringify(options.namespace);
  }

  /** A hub event: a self-describing event (mapped name or catch-all) or a structured event. */
  event(record: EventRecord): TrackerPayload {
    const o = this.options;
    const name = record.name;
    const mapping = o.events.get(name) ?? NO_MAPPING;
    let body: string;
    let e: 'ue' | 'se';
    if (mapping.schema !== null) {
      e = 'ue';
      body = this.unstruct('{"schema":"' + mapping.schema + '","data":' + this.attributes(record) + '}');
    } else if (o.catchAllSchema !== null) {
      e = 'ue';
      body = this.unstruct('{"schema":"' + o.catchAllSchema + '","data":{"name":' + JSON.stringify(name) + ',"attributes":' + this.attributes(record) + '}}');
    } else {
      e = 'se';
      body = this.structured(record);
    }
    let entities = '';
    if (record.sessionId !== null) entities = closeClientSession(this.sessionPrefix(record), record.eventIndex);
    entities = join(join(entities, o.globalEntitiesJson), mapping.entitiesJson);
    if (o.entitiesFor !== null) entities = join(entities, this.dynamicEntities(record));
    return this.item(e, record.eventId.toLowerCase(), record.timestamp, record.userId, body, entities);
  }

  /** `application_foreground` 1-0-0 with the session's `foregroundIndex`, and the session entity. */
  foreground(record: LifecycleRecord, view: SessionView | null): TrackerPayload {
    const data = '{"schema":"' + APPLICATION_FOREGROUND_SCHEMA + '","data":{"foregroundIndex":' + record.foregroundIndex + '}}';
    return this.lifecycle(record, view, data);
  }

  /** `application_background` 1-0-0 with the session's `backgroundIndex`, and the session entity when a session is live. */
  background(record: LifecycleRecord, view: SessionView | null): TrackerPayload {
    const data = '{"schema":"' + APPLICATION_BACKGROUND_SCHEMA + '","data":{"backgroundIndex":' + record.backgroundIndex + '}}';
    return this.lifecycle(record, view, data);
  }

  /** The configured session start event, or null when none is configured. */
  sessionStart(record: SessionStartRecord): TrackerPayload | null {
    const schema = this.options.sessionStartSchema;
    if (schema === null) return null;
    const data =
      '{"sessionId":' + JSON.stringify(record.sessionId) + ',"sessionIndex":' + record.sessionIndex +
      ',"previousSessionId":' + quote(record.previousSessionId) + ',"trigger":' + JSON.stringify(record.trigger) +
      ',"startTime":' + quote(isoTime(record.startTime)) + '}';
    const session = clientSessionPrefix(
      { deviceId: record.deviceId, sessionId: record.sessionId, sessionIndex: record.sessionIndex, previousSessionId: record.previousSessionId, firstEventId: null, firstEventTime: null },
      this.options.storageMechanism,
    );
    const entities = join(closeClientSession(session, null), this.options.globalEntitiesJson);
    return this.item('ue', this.env.newId(), record.startTime, record.userId, this.unstruct('{"schema":"' + schema + '","data":' + data + '}'), entities);
  }

  /** The configured session end event (dated at the session's end), or null when none is configured. */
  sessionEnd(record: SessionEndRecord, view: SessionView | null): TrackerPayload | null {
    const schema = this.options.sessionEndSchema;
    if (schema === null) return null;
    const data =
      '{"sessionId":' + JSON.stringify(record.sessionId) + ',"sessionIndex":' + record.sessionIndex +
      ',"reason":' + JSON.stringify(record.reason) + ',"startTime":' + quote(isoTime(record.startTime)) +
      ',"endTime":' + quote(isoTime(record.endTime)) + ',"duration":' + record.duration +
      ',"foregroundDuration":' + record.foregroundDuration + ',"eventCount":' + record.eventCount +
      ',"attributes":' + attributesJson(record.attributes, () => undefined) + '}';
    // The record is the authority; the view only supplies the first event's id, and only when it
    // agrees with the record (a force-quit can persist the view but not the hub's state, or back).
    const known = view !== null && view.sessionId === record.sessionId && view.firstEventTime === record.firstEventTime;
    const session = clientSessionPrefix(
      {
        deviceId: record.deviceId,
        sessionId: record.sessionId,
        sessionIndex: record.sessionIndex,
        previousSessionId: record.previousSessionId,
        firstEventId: record.eventCount === 0 ? null : known ? view.firstEventId : undefined,
        firstEventTime: record.firstEventTime,
      },
      this.options.storageMechanism,
    );
    const entities = join(closeClientSession(session, null), this.options.globalEntitiesJson);
    return this.item('ue', this.env.newId(), record.endTime, record.userId, this.unstruct('{"schema":"' + schema + '","data":' + data + '}'), entities);
  }

  // ---------------------------------------------------------------- parts

  private lifecycle(record: LifecycleRecord, view: SessionView | null, event: string): TrackerPayload {
    let entities = '';
    if (record.sessionId !== null) {
      const known = view !== null && view.sessionId === record.sessionId;
      // A session the kit has no view of (one resumed after a relaunch whose view was lost): send
      // what the record says and leave the rest out rather than guess.
      const identity: ClientSessionIdentity = {
        deviceId: record.deviceId,
        sessionId: record.sessionId,
        sessionIndex: record.sessionIndex,
        previousSessionId: known ? view.previousSessionId : undefined,
        firstEventId: known ? view.firstEventId : undefined,
        firstEventTime: known ? view.firstEventTime : undefined,
      };
      // Lifecycle transitions are not hub events: they have no place in the session's event index.
      entities = closeClientSession(clientSessionPrefix(identity, this.options.storageMechanism), null);
    }
    entities = join(entities, this.options.globalEntitiesJson);
    return this.item('ue', this.env.newId(), record.timestamp, record.userId, this.unstruct(event), entities);
  }

  /** The session entity up to `eventIndex`, rebuilt only when the session or its first event changes. */
  private sessionPrefix(record: EventRecord): string {
    if (record.sessionId !== this.memoSession || record.firstEventId !== this.memoFirstEventId || record.deviceId !== this.memoDeviceId) {
      this.memoSession = record.sessionId;
      this.memoFirstEventId = record.firstEventId;
      this.memoDeviceId = record.deviceId;
      this.memoPrefix = clientSessionPrefix(record as ClientSessionIdentity, this.options.storageMechanism);
    }
    return this.memoPrefix;
  }

  private item(e: 'ue' | 'se', eid: string, dtm: number, userId: string | null, body: string, entities: string): TrackerPayload {
    let json = '{"e":"' + e + '","eid":' + JSON.stringify(eid) + ',"dtm":"' + dtmOf(dtm) + '"' + this.constantFields;
    if (userId !== null) {
      if (userId !== this.memoUser) {
        this.memoUser = userId;
        this.memoUserJson = ',"uid":' + JSON.stringify(userId);
      }
      json += this.memoUserJson;
    }
    json += body;
    if (entities !== '') {
      const contexts = CONTEXTS_HEAD + entities + ']}';
      json += this.options.encodeBase64 ? ',"cx":"' + base64url(contexts) + '"' : ',"co":' + JSON.stringify(contexts);
    }
    json += '}';
    return { eid, json, bytes: utf8Length(json) };
  }

  /** `ue_px` / `ue_pr` wrapping a self-describing event JSON in `unstruct_event` 1-0-0. */
  private unstruct(event: string): string {
    const wrapped = UNSTRUCT_HEAD + event + '}';
    return this.options.encodeBase64 ? ',"ue_px":"' + base64url(wrapped) + '"' : ',"ue_pr":' + JSON.stringify(wrapped);
  }

  private attributes(record: EventRecord): string {
    return attributesJson(record.attributes, (error) =>
      this.env.report({
        code: 'attributes-not-json',
        message: `event "${record.name}": some attribute values are not JSON (${error instanceof Error ? error.message : String(error)}); they were sent as strings`,
        error,
      }),
    );
  }

  private structured(record: EventRecord): string {
    const name = record.name;
    const fields = structuredFields(name, record.attributes, this.options.structuredEventCategory);
    if (fields.badValue && this.firstTime(name + '\u0000value')) {
      this.env.report({
        code: 'structured-value-invalid',
        message: `event "${name}": the "value" attribute must be a finite number to become se_va; it was left out (reported once per event name)`,
      });
    }
    if (this.warnedNames.size < MAX_WARNED_NAMES && !this.warnedNames.has(name)) {
      const dropped = unstructuredKeys(record.attributes);
      if (dropped.length > 0 && this.firstTime(name)) {
        this.env.report({
          code: 'structured-attributes-dropped',
          message:
            `event "${name}" has no Iglu schema, so it goes as a structured event, which carries only category, label, ` +
            `property and value; the attributes ${dropped.map((k) => JSON.stringify(k)).join(', ')} are not sent. ` +
            'Map the event to a schema (option "events") or set "catchAllSchema" to keep them. (Reported once per event name.)',
        });
      }
    }
    return fields.json;
  }

  /** True the first time a warning key is seen (up to a bound, so a stream of names cannot grow the set). */
  private firstTime(key: string): boolean {
    if (this.warnedNames.has(key) || this.warnedNames.size >= MAX_WARNED_NAMES) return false;
    this.warnedNames.add(key);
    return true;
  }

  /** The user's per-event entities: validated, serialized once; a failure costs the entities, never the event. */
  private dynamicEntities(record: EventRecord): string {
    let list: unknown;
    try {
      list = (this.options.entitiesFor as NonNullable<ResolvedSnowplowOptions['entitiesFor']>)(record);
    } catch (error) {
      this.env.report({ code: 'entities-for-failed', message: `entitiesFor threw for event "${record.name}"; the event was sent without its entities`, error });
      return '';
    }
    if (list === null || list === undefined) return '';
    if (!Array.isArray(list)) {
      this.env.report({ code: 'entities-for-failed', message: `entitiesFor must return an array of { schema, data } for event "${record.name}"; it was ignored` });
      return '';
    }
    let json = '';
    const out = { json: '' };
    for (let i = 0; i < list.length; i++) {
      const problem = selfDescribingJsonProblem(list[i], out);
      if (problem !== null) {
        this.env.report({ code: 'invalid-entity', message: `entitiesFor, event "${record.name}", entity ${i} ${problem}; it was left out` });
        continue;
      }
      json = join(json, out.json);
    }
    return json;
  }
}
