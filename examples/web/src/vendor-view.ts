/**
 * What each vendor received, read back from the collectors' decoded requests: the sessions it
 * counted (its own session ids, in order), its session starts and ends, and the events. Pure, so
 * the page's live view and the end-to-end tests read the wire the same way.
 */

/** The fields of a collected request this view reads (see `@sessionhub/testing`'s CollectedRequest). */
export interface ReceivedRequest {
  readonly vendor: 'braze' | 'snowplow' | 'clevertap';
  readonly body: unknown;
  readonly accepted: boolean;
}

/** One vendor's view of the sessions. */
export interface VendorSessions {
  /** The vendor's session ids in the order first seen (Braze and Snowplow: the canonical id; CleverTap: its numeric `s`). */
  readonly sessions: string[];
  /** Session ids of the session starts received (Braze `ss`, Snowplow session_start event, CleverTap: first event of an `s`). */
  readonly starts: string[];
  /** Session ids of the session ends received (Braze `se`, Snowplow session_end event, CleverTap `Session Concluded`). */
  readonly ends: string[];
  /** Names of the custom events received, in order. */
  readonly events: string[];
  /** What the session ends said, by session id, where the vendor's wire carries it (Snowplow's session_end event, Braze's `se`). */
  readonly endDetails: Record<string, { endTime?: number; reason?: string; durationMs?: number }>;
}

export type VendorViews = Record<ReceivedRequest['vendor'], VendorSessions>;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const empty = (): VendorSessions => ({ sessions: [], starts: [], ends: [], events: [], endDetails: {} });

/** Summarizes accepted requests per vendor (Braze and Snowplow duplicates from retries are counted once per vendor event). */
export function vendorViews(requests: readonly ReceivedRequest[]): VendorViews {
  const views: VendorViews = { braze: empty(), snowplow: empty(), clevertap: empty() };
  const seenItems = new Set<string>();
  const once = (key: string): boolean => {
    if (seenItems.has(key)) return false;
    seenItems.add(key);
    return true;
  };
  const sessionSeen = (view: VendorSessions, id: string): void => {
    if (!view.sessions.includes(id)) view.sessions.push(id);
  };
  for (const request of requests) {
    if (!request.accepted) continue;
    if (request.vendor === 'braze') readBraze(request.body, views.braze, once, sessionSeen);
    else if (request.vendor === 'snowplow') readSnowplow(request.body, views.snowplow, once, sessionSeen);
    else readCleverTap(request.body, views.clevertap, sessionSeen);
  }
  return views;
}

type Once = (key: string) => boolean;
type SessionSeen = (view: VendorSessions, id: string) => void;

function readBraze(body: unknown, view: VendorSessions, once: Once, seen: SessionSeen): void {
  if (!isObj(body) || !Array.isArray(body.events)) return;
  for (const e of body.events) {
    if (!isObj(e) || typeof e.session_id !== 'string') continue;
    const id = e.session_id;
    const data = isObj(e.data) ? e.data : {};
    if (!once(`braze:${String(e.name)}:${id}:${String(e.time)}:${String(data.n)}`)) continue;
    seen(view, id);
    if (e.name === 'ss') view.starts.push(id);
    else if (e.name === 'se') {
      view.ends.push(id);
      // `time` is the end in epoch seconds (float), `d` the length in seconds.
      view.endDetails[id] = {
        ...(typeof e.time === 'number' ? { endTime: Math.round(e.time * 1000) } : {}),
        ...(typeof data.d === 'number' ? { durationMs: Math.round(data.d * 1000) } : {}),
      };
    }
    else if (e.name === 'ce' && typeof data.n === 'string') view.events.push(data.n);
  }
}

/** base64url (or base64) → text, in a browser or in Node. */
function decodeBase64(text: string): string {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

function parseJson(text: unknown, base64: boolean): unknown {
  if (typeof text !== 'string') return null;
  try {
    return JSON.parse(base64 ? decodeBase64(text) : text);
  } catch {
    return null;
  }
}

function readSnowplow(body: unknown, view: VendorSessions, once: Once, seen: SessionSeen): void {
  if (!isObj(body) || !Array.isArray(body.data)) return;
  for (const p of body.data) {
    if (!isObj(p) || typeof p.eid !== 'string' || !once(`snowplow:${p.eid}`)) continue;
    const contexts = parseJson(p.cx ?? p.co, p.cx !== undefined);
    const entities = isObj(contexts) && Array.isArray(contexts.data) ? contexts.data : [];
    const session = entities.find((c): c is Obj => isObj(c) && typeof c.schema === 'string' && c.schema.includes('/client_session/'));
    const sessionId = session && isObj(session.data) && typeof session.data.sessionId === 'string' ? session.data.sessionId : null;
    if (sessionId === null) continue;
    seen(view, sessionId);
    if (p.e === 'se' && typeof p.se_ac === 'string') view.events.push(p.se_ac);
    if (p.e !== 'ue') continue;
    const event = parseJson(p.ue_px ?? p.ue_pr, p.ue_px !== undefined);
    const inner = isObj(event) && isObj(event.data) ? event.data : null;
    const schema = inner && typeof inner.schema === 'string' ? inner.schema : '';
    if (schema.includes('/session_start/')) view.starts.push(sessionId);
    else if (schema.includes('/session_end/')) {
      view.ends.push(sessionId);
      const d = isObj(inner) && isObj(inner.data) ? inner.data : {};
      view.endDetails[sessionId] = {
        ...(typeof d.endTime === 'string' ? { endTime: Date.parse(d.endTime) } : {}),
        ...(typeof d.reason === 'string' ? { reason: d.reason } : {}),
        ...(typeof d.duration === 'number' ? { durationMs: d.duration } : {}),
      };
    }
  }
}

function readCleverTap(body: unknown, view: VendorSessions, seen: SessionSeen): void {
  if (!Array.isArray(body)) return;
  for (const item of body.slice(1)) {
    // Events, and the page the kit sends when a session opens (as CleverTap's web SDK does per page).
    const page = isObj(item) && item.type === 'page';
    if (!isObj(item) || !(page || (item.type === 'event' && typeof item.evtName === 'string')) || typeof item.s !== 'number' || item.s === 0) continue;
    // CleverTap's items carry no event id: every accepted one counts (an accepted request is not sent again).
    const id = String(item.s);
    if (!view.sessions.includes(id)) view.starts.push(id); // CleverTap counts a session from its first item
    seen(view, id);
    if (item.evtName === 'Session Concluded') view.ends.push(id);
    else if (!page) view.events.push(item.evtName as string);
  }
}
