/**
 * What each vendor's collector received, read back from the wire the way the vendor reads it: Braze
 * `ss` / `ce` / `se` events by `session_id`; Snowplow events by the `client_session` entity in their
 * contexts (`cx`, base64url, or `co`); CleverTap items by their session id `s`, with `Session
 * Concluded` carrying the `Session Length`. Independent of the kits' code on purpose: this is the
 * check that the kits wrote what the vendors expect. Pure functions over recorded requests.
 */
import { BRAZE_SESSION_ATTRIBUTES_EVENT, CLEVERTAP_ATTRIBUTE_PREFIX, DEMO_SCHEMAS } from './demo-setup';

/** A request as the collector recorded it (the fields of `CollectedRequest` this reads). */
export interface WireRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** One session as a vendor sees it. */
export interface VendorSession {
  /** The vendor's session id: Braze `session_id`, Snowplow `client_session.sessionId`, CleverTap `s`. */
  readonly id: string;
  /** The session's start marker arrived (Braze `ss`, the Snowplow session start event); CleverTap has none. */
  started: boolean;
  /** Its end arrived (Braze `se`, the Snowplow session end event, CleverTap `Session Concluded`). */
  ended: boolean;
  /** The length the vendor was told, ms (Braze `se.d`, Snowplow `duration`, CleverTap `Session Length`). */
  lengthMs: number | null;
  /** App events counted in the session. */
  events: number;
  /** Session attributes as the vendor got them, or null when none arrived. */
  attributes: Record<string, unknown> | null;
}

/** Everything one vendor received. */
export interface VendorView {
  readonly vendor: 'braze' | 'snowplow' | 'clevertap';
  /** In the order the vendor first heard of them. */
  readonly sessions: VendorSession[];
  /** App events that belong to no session (session-neutral events logged while none was live). */
  eventsOutsideSessions: number;
  /** Requests received, and how many of them the collector took in. */
  requests: number;
  accepted: number;
  /** Anything that could not be read. */
  readonly problems: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function emptyView(vendor: VendorView['vendor']): VendorView {
  return { vendor, sessions: [], eventsOutsideSessions: 0, requests: 0, accepted: 0, problems: [] };
}

function sessionIn(view: VendorView, index: Map<string, VendorSession>, id: string): VendorSession {
  let session = index.get(id);
  if (!session) {
    session = { id, started: false, ended: false, lengthMs: null, events: 0, attributes: null };
    index.set(id, session);
    view.sessions.push(session);
  }
  return session;
}

/** Braze: `POST /api/v3/data/` bodies `{ events: [{ name: 'ss' | 'se' | 'ce', time, data, session_id? }] }`. */
export function brazeView(requests: readonly WireRequest[], acceptedOnly: readonly WireRequest[]): VendorView {
  const view = emptyView('braze');
  const index = new Map<string, VendorSession>();
  view.requests = requests.length;
  view.accepted = acceptedOnly.length;
  for (const request of acceptedOnly) {
    const events = isObject(request.body) ? request.body.events : undefined;
    if (!Array.isArray(events)) {
      view.problems.push(`a Braze request without an events array`);
      continue;
    }
    for (const event of events) {
      if (!isObject(event) || typeof event.name !== 'string') continue;
      const sessionId = typeof event.session_id === 'string' ? event.session_id : null;
      const data = isObject(event.data) ? event.data : {};
      if (event.name === 'ce' && data.n !== BRAZE_SESSION_ATTRIBUTES_EVENT) {
        if (sessionId === null) view.eventsOutsideSessions++;
        else sessionIn(view, index, sessionId).events++;
        continue;
      }
      if (sessionId === null) continue;
      const session = sessionIn(view, index, sessionId);
      if (event.name === 'ss') session.started = true;
      else if (event.name === 'se') {
        session.ended = true;
        session.lengthMs = typeof data.d === 'number' ? Math.round(data.d * 1000) : null;
      } else if (event.name === 'ce') session.attributes = isObject(data.p) ? { ...data.p } : {};
    }
  }
  return view;
}

const CLIENT_SESSION = 'iglu:com.snowplowanalytics.snowplow/client_session/';
const LIFECYCLE = ['iglu:com.snowplowanalytics.snowplow/application_foreground/', 'iglu:com.snowplowanalytics.snowplow/application_background/'];

/** A Snowplow self-describing JSON field: base64url in `<b64>`, plain JSON in `<plain>`. */
function selfDescribing(payload: Record<string, unknown>, b64: string, plain: string): Record<string, unknown> | null {
  const encoded = payload[b64];
  const text = typeof encoded === 'string' ? Buffer.from(encoded, 'base64url').toString('utf8') : payload[plain];
  if (typeof text !== 'string') return null;
  const parsed: unknown = JSON.parse(text);
  return isObject(parsed) ? parsed : null;
}

/** Snowplow: `POST /com.snowplowanalytics.snowplow/tp2` (`{ schema: payload_data, data: [payload…] }`) and `GET /i` (one payload as the query). */
export function snowplowView(requests: readonly WireRequest[], acceptedOnly: readonly WireRequest[]): VendorView {
  const view = emptyView('snowplow');
  const index = new Map<string, VendorSession>();
  view.requests = requests.length;
  view.accepted = acceptedOnly.length;
  const payloads: Record<string, unknown>[] = [];
  for (const request of acceptedOnly) {
    if (request.method === 'GET') payloads.push({ ...request.query });
    else if (isObject(request.body) && Array.isArray(request.body.data)) payloads.push(...request.body.data.filter(isObject));
    else view.problems.push('a Snowplow POST without a payload_data array');
  }
  for (const payload of payloads) {
    try {
      const contexts = selfDescribing(payload, 'cx', 'co');
      const entities = contexts && Array.isArray(contexts.data) ? contexts.data.filter(isObject) : [];
      const clientSession = entities.find((e) => typeof e.schema === 'string' && e.schema.startsWith(CLIENT_SESSION));
      const sessionData = clientSession && isObject(clientSession.data) ? clientSession.data : null;
      const sessionId = sessionData && typeof sessionData.sessionId === 'string' ? sessionData.sessionId : null;
      let schema = '';
      let data: Record<string, unknown> = {};
      if (payload.e === 'ue') {
        const wrapper = selfDescribing(payload, 'ue_px', 'ue_pr');
        const event = wrapper && isObject(wrapper.data) ? wrapper.data : null;
        schema = event && typeof event.schema === 'string' ? event.schema : '';
        data = event && isObject(event.data) ? event.data : {};
      }
      if (LIFECYCLE.some((prefix) => schema.startsWith(prefix))) continue;
      if (schema === DEMO_SCHEMAS.sessionStart || schema === DEMO_SCHEMAS.sessionEnd) {
        if (sessionId === null) {
          view.problems.push(`a ${schema} event without a client_session entity`);
          continue;
        }
        const session = sessionIn(view, index, sessionId);
        if (schema === DEMO_SCHEMAS.sessionStart) session.started = true;
        else {
          session.ended = true;
          session.lengthMs = typeof data.duration === 'number' ? data.duration : null;
          session.attributes = isObject(data.attributes) ? { ...data.attributes } : {};
        }
        continue;
      }
      // Every other event (structured or self-describing) is an app event.
      if (sessionId === null) view.eventsOutsideSessions++;
      else sessionIn(view, index, sessionId).events++;
    } catch (error) {
      view.problems.push(`an unreadable Snowplow payload (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  return view;
}

const SESSION_CONCLUDED = 'Session Concluded';
const SESSION_LENGTH = 'Session Length';

/** CleverTap: `POST /a1` bodies `[{ type: 'meta', … }, { type: 'event', evtName, evtData, s, … }, …]`. */
export function clevertapView(requests: readonly WireRequest[], acceptedOnly: readonly WireRequest[]): VendorView {
  const view = emptyView('clevertap');
  const index = new Map<string, VendorSession>();
  view.requests = requests.length;
  view.accepted = acceptedOnly.length;
  for (const request of acceptedOnly) {
    if (!Array.isArray(request.body) || !isObject(request.body[0]) || request.body[0].type !== 'meta') {
      view.problems.push('a CleverTap upload that is not [meta, …items]');
      continue;
    }
    for (const item of request.body.slice(1)) {
      // App Launched is what CleverTap's SDKs send when a session starts, not an app event.
      if (!isObject(item) || item.type !== 'event' || item.evtName === 'App Launched') continue;
      const s = typeof item.s === 'number' && item.s > 0 ? String(item.s) : null;
      const data = isObject(item.evtData) ? item.evtData : {};
      if (item.evtName === SESSION_CONCLUDED) {
        if (s === null) {
          view.problems.push('a Session Concluded without a session id');
          continue;
        }
        const session = sessionIn(view, index, s);
        session.ended = true;
        session.lengthMs = typeof data[SESSION_LENGTH] === 'number' ? Math.round(data[SESSION_LENGTH] * 1000) : null;
        const attributes: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(data)) {
          if (key.startsWith(CLEVERTAP_ATTRIBUTE_PREFIX)) attributes[key.slice(CLEVERTAP_ATTRIBUTE_PREFIX.length)] = value;
        }
        session.attributes = attributes;
        continue;
      }
      if (s === null) view.eventsOutsideSessions++;
      else sessionIn(view, index, s).events++;
    }
  }
  // CleverTap numbers sessions by their start second, strictly increasing: that is their order.
  view.sessions.sort((a, b) => Number(a.id) - Number(b.id));
  return view;
}

/** Items (events, payloads, upload items) the collectors received in `requests`, per vendor. */
export function receivedItems(requests: ReadonlyArray<WireRequest & { readonly vendor: string }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const request of requests) {
    const body = request.body;
    const items =
      request.vendor === 'braze' && isObject(body) && Array.isArray(body.events) ? body.events.length :
      request.vendor === 'snowplow' && isObject(body) && Array.isArray(body.data) ? body.data.length :
      request.vendor === 'snowplow' && request.method === 'GET' ? 1 :
      request.vendor === 'clevertap' && Array.isArray(body) ? body.length - 1 :
      0;
    counts[request.vendor] = (counts[request.vendor] ?? 0) + items;
  }
  return counts;
}
