import type { EventRecord, LifecycleRecord, SessionEndRecord, SessionStartRecord } from '@sessionhub/core';
import { attributesJson } from './attributes-json';
import { message } from './messages';
import { base64url } from './base64url';
import { clientSessionMaker, type SessionContext } from './client-session';
import {
  APPLICATION_BACKGROUND_SCHEMA,
  APPLICATION_FOREGROUND_SCHEMA,
  CONTEXTS_SCHEMA,
  UNSTRUCT_EVENT_SCHEMA,
  selfDescribing,
  selfDescribingJson,
} from './iglu';
import { isoTime } from './iso-time';
import type { ResolvedSnowplowOptions } from './options';
import { structuredFields, unsentAttributes } from './structured-event';
import type { TrackerPayload } from './tracker-payload';
import { TRACKER_VERSION } from './version';
import { fitUrl } from './page-url';

/** What the mapping needs from outside: ids for events the hub did not number, and a place for problems. */
export interface PayloadMapperEnv {
  /** A new UUID v4 (lifecycle and session events have no hub event id). */
  newId(): string;
  /**
   * Something the mapping worked around; the event is still sent. `error` comes with it when app
   * code the kit called threw (`entitiesFor`), so the kit can count it.
   */
  report(message: string, error?: unknown): void;
  /** Browsers (platform `web`): the page's fields for the next event (`url`, `refr`, `vp`, `lang`, …). */
  page?(): Readonly<Record<string, string | undefined>>;
  /**
   * A Snowplow browser tracker's user, adopted from its `_sp_id` cookie: its domain user id (sent
   * instead of the device id) and the visits it counted (added to every session index).
   */
  readonly adopted?: { readonly userId: string; readonly visits: number } | null;
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
  /** The session start event (structured by default, or of the configured schema), or null when turned off. */
  sessionStart(record: SessionStartRecord): TrackerPayload | null;
  /** The session end event (dated at the session's end), or null when turned off. */
  sessionEnd(record: SessionEndRecord): TrackerPayload | null;
}

type AnyRecord = EventRecord | LifecycleRecord | SessionEndRecord | SessionStartRecord;

/** `,"<key>":<value>` as JSON.stringify writes a field of an object, or '' for a value it leaves out (undefined). */
const field = (key: string, value: unknown, json = JSON.stringify(value)): string => (json === undefined ? '' : ',"' + key + '":' + json);

/** Every field of `o`, in its order, as {@link field} writes them. */
const fields = (o: Readonly<Record<string, unknown>>): string => Object.keys(o).reduce((text, key) => text + field(key, o[key]), '');

/** Two lists of entities' JSON text as one ('' is an empty list). */
const and = (a: string, b: string): string => (a && b ? a + ',' + b : a || b);

const CONTEXTS_HEAD = '{"schema":"' + CONTEXTS_SCHEMA + '","data":[';

/**
 * Creates the mapping for resolved options: pure apart from the injected ids and problem reports;
 * it keeps only a memo of the session entity and the event names it warned about.
 *
 * Items are written as JSON text directly, field by field in the order the tracker protocol's
 * object would have them, every value from outside serialized by JSON.stringify: the same text as
 * building the object and serializing it (a property test holds it to that), at a fraction of the
 * work and garbage.
 */
export function createPayloadMapper(options: ResolvedSnowplowOptions, env: PayloadMapperEnv): PayloadMapper {
  const { events, catchAllSchema, globalEntitiesJson, entitiesFor, sessionEvents, encodeBase64 } = options;
  // The same in every item.
  const constant = fields({ tv: TRACKER_VERSION, p: options.platform, aid: options.appId, tna: options.namespace });
  const { page, adopted } = env;
  const web = options.platform == 'web';
  const visits = adopted ? adopted.visits : 0;
  const clientSession = clientSessionMaker(options.storageMechanism, adopted?.userId, visits);
  /** Names warned about (bounded, so a stream of names cannot grow it). */
  const warned = new Set<string>();

  /** JSON text as sent in `cx` / `ue_px` (base64url, the mobile trackers' default: needs no escaping) or `co` / `ue_pr` (plain), quoted. */
  const encode = (json: string): string => (encodeBase64 ? '"' + base64url(json) + '"' : JSON.stringify(json));
  const cx = encodeBase64 ? ',"cx":' : ',"co":';
  const ue = encodeBase64 ? ',"ue_px":' : ',"ue_pr":';

  /**
   * One item. `event` is the event's fields (JSON text, each after a comma), `entities` the global,
   * per-name and per-event entities (after `client_session`); `eventIndex` is the record's for hub
   * events, null for the others (lifecycle and session events take no place in the hub's count; a
   * lifecycle record's is the count so far). What the mapping worked around for the item, `notes`
   * and the fields `cut` (with the page's), is reported in one warning, named `name`.
   */
  const item = (record: AnyRecord, e: string, eid: string, dtm: number, eventIndex: number | null, event: string, name: string, entities = globalEntitiesJson, notes: string[] = [], cut: string[] = []): TrackerPayload => {
    const live = record.sessionId !== null;
    const contexts = live ? clientSession(record as SessionContext) + ',"eventIndex":' + eventIndex + '}}' + (entities && ',' + entities) : entities;
    let p = page && page();
    if (p) {
      const url = fitUrl(p.url, 3000, 'url', cut);
      const refr = fitUrl(p.refr, 6000, 'refr', cut);
      // (A copy, only when something was cut: page() may hand out what it keeps.)
      if (cut.length) p = { ...p, url, refr };
    }
    if (cut.length) notes.push(message(527, name, cut.join(', ')));
    if (notes.length) env.report(notes.join(' '));
    return (
      '{"e":"' + e + '"' +
      field('eid', eid.toLowerCase()) +
      ',"dtm":"' + Math.round(dtm) + '"' +
      constant +
      field('uid', record.userId ?? undefined) +
      // The browser tracker's session fields (domain_userid, domain_sessionid, domain_sessionidx), which web data models read.
      (web ? field('duid', (adopted ? adopted.userId : record.deviceId).toLowerCase()) + (live ? field('sid', record.sessionId.toLowerCase()) + field('vid', '' + (record.sessionIndex + visits)) : '') : '') +
      (p ? fields(p) : '') +
      event +
      (contexts && cx + encode(CONTEXTS_HEAD + contexts + ']}')) +
      '}'
    );
  };

  /** `ue_px` / `ue_pr`: a self-describing event wrapped in `unstruct_event` 1-0-0; `data` is JSON text. */
  const unstruct = (schema: string, data: string): string => ue + encode(selfDescribing(UNSTRUCT_EVENT_SCHEMA, selfDescribing(schema, data)));

  /** Lifecycle and session events: self-describing, with a new id and no eventIndex; `name` names it in warnings. */
  const other = (record: Exclude<AnyRecord, EventRecord>, time: number, schema: string, data: object, name: string): TrackerPayload =>
    item(record, 'ue', env.newId(), time, null, unstruct(schema, JSON.stringify(data)), name);

  /** A session event: self-describing of `schema`, structured by default (null), none (false). */
  const session = (r: SessionStartRecord | SessionEndRecord, time: number, schema: string | null | false, action: string, label: string, value: number | undefined, data: object): TrackerPayload | null =>
    schema === false ? null :
    schema ? other(r, time, schema, data, action) :
    item(r, 'se', env.newId(), time, null, fields({ se_ca: 'sessionhub', se_ac: action, se_la: label, se_va: value === undefined ? value : '' + value }), action);

  return {
    event(record) {
      const { name, attributes } = record;
      const mapping = events.get(name);
      const schema = mapping?.schema ?? catchAllSchema;
      let event: string;
      // What this event's warning says (one warning for all).
      const notes: string[] = [];
      const cut: string[] = [];
      if (schema === null) {
        const se = structuredFields(name, attributes, options.structuredEventCategory, cut);
        event = fields(se);
        if (warned.size < 256 && !warned.has(name)) {
          const unsent = unsentAttributes(attributes, se);
          if (unsent.length) {
            warned.add(name);
            notes.push(message(520, name, JSON.stringify(unsent).slice(1, -1)));
          }
        }
      } else {
        // The attributes are data at level 2 of `ue_px` (a mapped schema's) or 3 (the catch-all's
        // `attributes`): members at level 40 fail the event (see attributesJson).
        const data = attributesJson(attributes, () => notes.push(message(521, name)), mapping?.schema ? 37 : 36);
        event = unstruct(schema, mapping?.schema ? data : '{"name":' + JSON.stringify(name) + ',"attributes":' + data + '}');
      }
      // The user's per-event entities: validated, serialized; a failure costs those entities, never the event.
      let entities = and(globalEntitiesJson, mapping?.entitiesJson ?? '');
      try {
        if (entitiesFor) {
          let perEvent = '';
          const list = entitiesFor(record) ?? [];
          // Not an array (a Set, a string): a bug in app code, like a throw.
          if (!Array.isArray(list)) throw list;
          for (const entity of list) {
            perEvent = and(perEvent, selfDescribingJson(entity, (problem) => env.report(message(522, name, problem))));
          }
          entities = and(entities, perEvent);
        }
      } catch (error) {
        env.report(message(523, name), error);
      }
      return item(record, schema === null ? 'se' : 'ue', record.eventId, record.timestamp, record.eventIndex, event, name, entities, notes, cut);
    },

    foreground: (r) => other(r, r.timestamp, APPLICATION_FOREGROUND_SCHEMA, { foregroundIndex: r.foregroundIndex }, 'application_foreground'),

    background: (r) => other(r, r.timestamp, APPLICATION_BACKGROUND_SCHEMA, { backgroundIndex: r.backgroundIndex }, 'application_background'),

    sessionStart: (r) =>
      session(r, r.startTime, sessionEvents.start, 'session_start', r.trigger, undefined, {
        sessionId: r.sessionId.toLowerCase(),
        sessionIndex: r.sessionIndex + visits,
        previousSessionId: r.previousSessionId?.toLowerCase() ?? null,
        trigger: r.trigger,
        startTime: isoTime(r.startTime),
      }),

    sessionEnd: (r) =>
      session(r, r.endTime, sessionEvents.end, 'session_end', r.reason, r.duration, {
        sessionId: r.sessionId.toLowerCase(),
        sessionIndex: r.sessionIndex + visits,
        reason: r.reason,
        startTime: isoTime(r.startTime),
        endTime: isoTime(r.endTime),
        duration: r.duration,
        foregroundDuration: r.foregroundDuration,
        eventCount: r.eventCount,
        attributes: r.attributes,
      }),
  };
}
