import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  BRAZE_WIRE_SDK_VERSION,
  brazeDataUrl,
  buildBrazeRequest,
  sessionEndEvent,
  sessionStartEvent,
  customEvent,
  type BrazeOutboxItem,
} from '@sessionhub/kit-braze';
import { eventRecord, sessionEndRecord, sessionStartRecord } from './arbitraries';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/braze-web-sdk-request.json', import.meta.url), 'utf8')) as {
  request: { method: string; url: string; headers: Record<string, string>; body: Record<string, unknown> & { events: Array<Record<string, unknown>> } };
};
const webSdk = fixture.request;

const settings = { url: 'https://sdk.iad-01.braze.com/api/v3/data/', apiKey: 'api-key-1', sdkVersion: BRAZE_WIRE_SDK_VERSION };
const firstAttempt = { attempt: 1, previousSentAt: null, keepalive: false };
const deviceId = '5e0a5a8c-2f43-44b6-b1cf-6b7d2f6a0c3d';

/** JSON type of a value: 'integer' and 'number' apart, so whole-second and float times are told apart. */
function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}
/** Every key of `ours` exists in `theirs` with a compatible JSON type (an integer is a number), recursively. */
function expectSubShape(ours: unknown, theirs: unknown, path: string): void {
  const a = jsonType(ours);
  const b = jsonType(theirs);
  const compatible = a === b || (a === 'integer' && b === 'number');
  expect(compatible, `${path}: ours is ${a}, the Web SDK's is ${b}`).toBe(true);
  if (a === 'object' && b === 'object' && !path.endsWith('.p')) {
    for (const [k, v] of Object.entries(ours as object)) {
      expect(Object.keys(theirs as object), `${path}.${k} is not a field the Web SDK sends`).toContain(k);
      expectSubShape(v, (theirs as Record<string, unknown>)[k], `${path}.${k}`);
    }
  }
}

describe('request: endpoint', () => {
  it('normalizes baseUrl as the Braze Web SDK does', () => {
    expect(brazeDataUrl('sdk.iad-01.braze.com')).toBe('https://sdk.iad-01.braze.com/api/v3/data/');
    expect(brazeDataUrl('https://sdk.iad-01.braze.com')).toBe('https://sdk.iad-01.braze.com/api/v3/data/');
    expect(brazeDataUrl('https://sdk.iad-01.braze.com/')).toBe('https://sdk.iad-01.braze.com/api/v3/data/');
    expect(brazeDataUrl(' https://sdk.fra-01.braze.eu/api/v3/ ')).toBe('https://sdk.fra-01.braze.eu/api/v3/data/');
    expect(brazeDataUrl('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080/api/v3/data/');
    expect(brazeDataUrl('https://proxy.example.com/braze')).toBe('https://proxy.example.com/braze/data/');
  });

  it('refuses what is not an http(s) URL', () => {
    for (const bad of ['', '   ', 'ftp://x.example', 'https://', 'https://x.example/?a=1', 'https://x.example/#h', 'https://u:p@x.example']) {
      expect(brazeDataUrl(bad), bad).toBeNull();
    }
  });
});

describe('request: body and headers', () => {
  const items = fc
    .array(
      fc.oneof(
        sessionStartRecord.map((r): BrazeOutboxItem => ({ event: sessionStartEvent(r) })),
        sessionEndRecord.map((r): BrazeOutboxItem => ({ event: sessionEndEvent(r) })),
        eventRecord.map((r): BrazeOutboxItem => ({ event: customEvent(r, () => undefined)! })),
        fc.string({ minLength: 1, maxLength: 8 }).map((u): BrazeOutboxItem => ({ attributes: { user_id: u } })),
      ),
      { minLength: 1, maxLength: 20 },
    );

  it('keeps the items in order, stamps whole seconds at send time, and has the Web SDK shape', () => {
    fc.assert(
      fc.property(items, fc.integer({ min: 1e12, max: 2e12 }), fc.integer({ min: 1, max: 9 }), (batch, sentAt, attempt) => {
        const req = buildBrazeRequest(batch, sentAt, { attempt, previousSentAt: sentAt - 1234, keepalive: false }, deviceId, settings);
        const body = JSON.parse(req.body!) as Record<string, unknown> & { events: unknown[]; attributes?: unknown[] };
        expect(req.method).toBe('POST');
        expect(req.url).toBe(settings.url);
        expect(body.time).toBe(Math.floor(sentAt / 1000));
        expect(body).toMatchObject({ api_key: 'api-key-1', sdk_version: BRAZE_WIRE_SDK_VERSION, device_id: deviceId });
        expect(body.events).toEqual(batch.flatMap((i) => ('event' in i ? [JSON.parse(JSON.stringify(i.event))] : [])));
        const attributes = batch.flatMap((i) => ('attributes' in i ? [i.attributes] : []));
        if (attributes.length) expect(body.attributes).toEqual(attributes);
        else expect('attributes' in body).toBe(false);
        expect(req.headers).toEqual({
          'Content-Type': 'application/json',
          'X-Requested-With': 'XMLHttpRequest',
          'X-Braze-Api-Key': 'api-key-1',
          'X-Braze-Last-Req-Ms-Ago': '1234',
          'X-Braze-Req-Attempt': String(attempt),
        });
        // Shape: every field we send is one the Web SDK sends, with the same JSON type.
        expectSubShape({ ...body, events: [] }, { ...webSdk.body, events: [] }, 'body');
        for (const event of body.events as Array<{ name: string }>) {
          const theirs = webSdk.body.events.find((e) => e.name === event.name);
          expect(theirs, `the fixture has a ${event.name}`).toBeDefined();
          expectSubShape(event, theirs, `events[${event.name}]`);
        }
      }),
    );
  });

  it('matches the recorded Web SDK request field by field for the same events', () => {
    // The fixture's ss, ce and se rebuilt from canonical records: the event objects must come out identical.
    const [ss, ce, se] = webSdk.body.events as [any, any, any];
    const sessionId = ss.session_id as string;
    const userId = ss.user_id as string;
    const startTime = Math.round(ss.time * 1000);
    const endTime = Math.round(se.time * 1000);
    const batch: BrazeOutboxItem[] = [
      { event: sessionStartEvent({ sessionId, sessionIndex: 1, previousSessionId: null, startTime, userId, deviceId, trigger: 'launch', isFirstSession: true, previousSessionStartTime: null, previousSessionDuration: null }) },
      {
        event: customEvent(
          {
            eventId: 'e1', name: ce.data.n, attributes: { ...ce.data.p, released: new Date(`${ce.data.p.released}Z`) }, timestamp: Math.round(ce.time * 1000),
            sessionId, sessionIndex: 1, eventIndex: 1, sessionStartTime: startTime, userId, deviceId, inForeground: true, affectsSession: true,
            previousSessionId: null, firstEventId: 'e1', firstEventTime: Math.round(ce.time * 1000),
          },
          () => undefined,
        )!,
      },
      {
        event: sessionEndEvent({
          sessionId, sessionIndex: 1, previousSessionId: null, startTime, endTime, duration: endTime - startTime, foregroundDuration: endTime - startTime,
          eventCount: 1, lastActivity: endTime, firstEventId: null, firstEventTime: null, lastEventTime: null, attributes: {}, userId, deviceId, reason: 'timeout',
        }),
      },
      { attributes: { user_id: userId } },
    ];
    const req = buildBrazeRequest(batch, webSdk.body.time as number * 1000 + 999, { attempt: 1, previousSentAt: null, keepalive: false }, deviceId, {
      ...settings,
      apiKey: webSdk.body.api_key as string,
      sdkFlavor: webSdk.body.sdk_flavor as string,
      appVersion: webSdk.body.app_version as string,
    });
    const body = JSON.parse(req.body!);
    expect(body.events).toEqual(webSdk.body.events);
    for (const key of ['api_key', 'time', 'sdk_version', 'sdk_flavor', 'app_version', 'device_id'] as const) expect(body[key], key).toEqual(webSdk.body[key]);
    expect(body.attributes).toEqual([{ user_id: userId }]);
    // Headers: the Web SDK's names (HTTP header names are case-insensitive), always-sent ones included.
    const theirs = Object.keys(webSdk.headers).map((h) => h.toLowerCase());
    const ours = Object.keys(req.headers!).map((h) => h.toLowerCase());
    for (const h of ours) expect(theirs).toContain(h);
    // The Web SDK sends all of these on every data request: ours too, and nothing else.
    expect(ours.sort()).toEqual(theirs.sort());
    expect(req.headers!['X-Braze-Last-Req-Ms-Ago']).toBe('7200000'); // the Web SDK's value before any request
    expect(req.headers!['X-Braze-Api-Key']).toBe(webSdk.headers['X-Braze-Api-Key']);
    expect(req.url).toBe(webSdk.url);
  });

  it('leaves out a damaged stored item instead of failing the batch', () => {
    const batch = [{}, { event: null }, { attributes: { user_id: 'u1' } }] as unknown as BrazeOutboxItem[];
    const body = JSON.parse(buildBrazeRequest(batch, 1e12, firstAttempt, deviceId, settings).body!);
    expect(body.events).toEqual([]);
    expect(body.attributes).toEqual([{ user_id: 'u1' }]);
  });
});
