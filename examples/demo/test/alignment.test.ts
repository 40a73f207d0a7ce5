import type { SessionEndRecord, SessionStartRecord } from '@sessionhub/core';
import { describe, expect, it } from 'vitest';
import { align } from '../src/alignment';
import type { CanonicalLife } from '../src/canonical-life';
import { DEMO_SCHEMAS } from '../src/demo-setup';
import { brazeView, clevertapView, snowplowView, type VendorSession, type VendorView, type WireRequest } from '../src/vendor-views';

const ID = '6f1c1b5e-3b1a-4c8e-9a7d-2f4e5d6c7b8a';
const T0 = Date.UTC(2026, 2, 14, 9, 0, 0);

function life(): CanonicalLife {
  const start = { sessionId: ID, sessionIndex: 1, startTime: T0, trigger: 'launch' } as SessionStartRecord;
  const end = { sessionId: ID, sessionIndex: 1, startTime: T0, endTime: T0 + 90_500, duration: 90_500, firstEventTime: T0, lastEventTime: T0 + 90_500, attributes: { plan: 'premium', songs: 2 } } as unknown as SessionEndRecord;
  return { sessions: [{ start, end, events: 2 }], eventsOutsideSessions: 1 };
}

const session = (id: string, extra: Partial<VendorSession> = {}): VendorSession => ({
  id,
  started: true,
  ended: true,
  lengthMs: 90_500,
  events: 2,
  attributes: { songs: 2, plan: 'premium' },
  ...extra,
});

const view = (vendor: VendorView['vendor'], sessions: VendorSession[], outside = 1): VendorView => ({
  vendor,
  sessions,
  eventsOutsideSessions: outside,
  requests: 1,
  accepted: 1,
  problems: [],
});

describe('align', () => {
  it('is ok when every vendor has the same sessions, events, lengths and attributes', () => {
    const result = align(life(), { braze: view('braze', [session(ID)]), snowplow: view('snowplow', [session(ID)]), clevertap: view('clevertap', [session('1773478800')]) });
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.totals.braze).toEqual(result.totals.canonical);
  });

  it('flags a lost event, a wrong length, an unknown session, different attributes and a lost request', () => {
    const braze = view('braze', [session(ID, { events: 1 })]);
    const snowplow = view('snowplow', [session(ID, { attributes: { plan: 'free', songs: 2 } }), session('0d0d0d0d-0000-4000-8000-000000000000')]);
    const clevertap = { ...view('clevertap', [session('1773478800', { lengthMs: 90_000 })], 0), requests: 2 };
    const result = align(life(), { braze, snowplow, clevertap });
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      'Braze, session 1: 1 events, canonical 2',
      'Snowplow, session 1: attributes {"plan":"free","songs":2}, canonical {"plan":"premium","songs":2}',
      'CleverTap, session 1: length 90000 ms, canonical 90500 ms',
      'Snowplow: 1 session(s) SessionHub never had (0d0d0d0d-0000-4000-8000-000000000000)',
      'CleverTap: 1 request(s) not taken in',
      'Braze total events: 1, canonical 2',
      'Snowplow total sessions: 2, canonical 1',
      'Snowplow total events: 4, canonical 2',
      'Snowplow total lengthMs: 181000, canonical 90500',
      'CleverTap total eventsOutsideSessions: 0, canonical 1',
      'CleverTap total lengthMs: 90000, canonical 90500',
    ]);
  });

  it('flags a session a vendor never heard of, or never saw end', () => {
    const result = align(life(), {
      braze: view('braze', []),
      snowplow: view('snowplow', [session(ID, { ended: false, lengthMs: null })]),
      clevertap: view('clevertap', [session('1773478800')]),
    });
    expect(result.problems).toContain('Braze, session 1: missing');
    expect(result.problems).toContain('Snowplow, session 1: no session end arrived');
  });
});

describe('vendor views: reading each vendor’s wire format', () => {
  const post = (path: string, body: unknown): WireRequest => ({ method: 'POST', path, query: {}, body });
  const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

  it('Braze: ss / ce / se by session_id, the session attributes event, and ce without a session', () => {
    const request = post('/api/v3/data/', {
      api_key: 'k',
      events: [
        { name: 'ss', time: 1773478800, data: {}, session_id: ID },
        { name: 'ce', time: 1773478801.5, data: { n: 'song_played', p: {} }, session_id: ID },
        { name: 'ce', time: 1773478802, data: { n: 'push_received', p: {} } },
        { name: 'ce', time: 1773478890.5, data: { n: 'session_attributes', p: { plan: 'premium' } }, session_id: ID },
        { name: 'se', time: 1773478890.5, data: { d: 90.5 }, session_id: ID },
      ],
    });
    const v = brazeView([request], [request]);
    expect(v.sessions).toEqual([{ id: ID, started: true, ended: true, lengthMs: 90_500, events: 1, attributes: { plan: 'premium' } }]);
    expect(v.eventsOutsideSessions).toBe(1);
  });

  it('Snowplow: client_session from cx (base64url) or co, lifecycle events left out, session end duration and attributes', () => {
    const contexts = (sessionId: string) => ({
      schema: 'iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0',
      data: [{ schema: 'iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-2', data: { sessionId, sessionIndex: 1 } }],
    });
    const unstruct = (schema: string, data: unknown) => ({ schema: 'iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0', data: { schema, data } });
    const request = post('/com.snowplowanalytics.snowplow/tp2', {
      schema: 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4',
      data: [
        { e: 'ue', ue_px: b64(unstruct(DEMO_SCHEMAS.sessionStart, { sessionId: ID })), cx: b64(contexts(ID)) },
        { e: 'se', se_ca: 'app', se_ac: 'song_played', cx: b64(contexts(ID)) },
        { e: 'ue', ue_pr: JSON.stringify(unstruct('iglu:com.snowplowanalytics.snowplow/application_background/jsonschema/1-0-0', {})), co: JSON.stringify(contexts(ID)) },
        { e: 'ue', ue_pr: JSON.stringify(unstruct(DEMO_SCHEMAS.appEvent, { name: 'push_received' })) },
        { e: 'ue', ue_px: b64(unstruct(DEMO_SCHEMAS.sessionEnd, { duration: 90_500, attributes: { plan: 'premium' } })), cx: b64(contexts(ID)) },
      ],
    });
    const get: WireRequest = { method: 'GET', path: '/i', query: { e: 'se', se_ac: 'song_played', cx: b64(contexts(ID)) }, body: null };
    const v = snowplowView([request, get], [request, get]);
    expect(v.sessions).toEqual([{ id: ID, started: true, ended: true, lengthMs: 90_500, events: 2, attributes: { plan: 'premium' } }]);
    expect(v.eventsOutsideSessions).toBe(1);
    expect(v.problems).toEqual([]);
  });

  it('CleverTap: sessions by s in start order, Session Concluded with its Session Length and sh_ attributes, s 0 outside sessions', () => {
    const meta = { type: 'meta', g: 'guid', af: {} };
    const first = post('/a1', [
      meta,
      { type: 'event', evtName: 'song_played', evtData: {}, s: 1773478900, pg: 1 },
      { type: 'profile', profile: { Identity: 'alice' }, s: 1773478900 },
      { type: 'event', evtName: 'push_received', evtData: {}, s: 0 },
    ]);
    const second = post('/a1', [
      meta,
      { type: 'event', evtName: 'Session Concluded', evtData: { 'Session Length': 90.5, 'Session ID': 1773478800, sh_plan: 'premium' }, s: 1773478800 },
    ]);
    const v = clevertapView([first, second], [first, second]);
    expect(v.sessions.map((s) => [s.id, s.events, s.ended, s.lengthMs, s.attributes])).toEqual([
      ['1773478800', 0, true, 90_500, { plan: 'premium' }],
      ['1773478900', 1, false, null, null],
    ]);
    expect(v.eventsOutsideSessions).toBe(1);
  });
});
