import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  BRAZE_WIRE_SDK_VERSION,
  brazeDataUrl,
  buildBrazeRequest,
  sessionEndEvent,
  sessionStartEvent,
  customEvent,
  brazeRefusal,
  type BrazeDevice,
  type BrazeOutboxItem,
} from '@sessionhub/kit-braze';
import { eventRecord, sessionEndRecord, sessionStartRecord } from './arbitraries';

const settings = { url: 'https://sdk.iad-01.braze.com/api/v3/data/', apiKey: 'api-key-1', sdkVersion: BRAZE_WIRE_SDK_VERSION };
const firstAttempt = { attempt: 1, previousSentAt: null, keepalive: false };
const deviceId = '5e0a5a8c-2f43-44b6-b1cf-6b7d2f6a0c3d';
const device: BrazeDevice = { browser: 'Chrome', browser_version: '131', os_version: 'Mac', locale: 'en-us', time_zone: 'Europe/Berlin', user_agent: 'Mozilla/5.0' };

// Field by field against Braze's own Web SDK: braze-web-sdk-conformance.test.ts. These are the rules per batch.

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
  const items = fc.array(
    fc.oneof(
      sessionStartRecord.map((r): BrazeOutboxItem => ({ event: sessionStartEvent(r) })),
      sessionEndRecord.map((r): BrazeOutboxItem => ({ event: sessionEndEvent(r) })),
      eventRecord.map((r): BrazeOutboxItem => ({ event: customEvent(r, () => undefined)! })),
      fc.constant<BrazeOutboxItem>({ device }),
    ),
    { minLength: 1, maxLength: 20 },
  );

  it('keeps the events in order, stamps whole seconds at send time, and writes the Web SDK envelope and headers', () => {
    fc.assert(
      fc.property(items, fc.integer({ min: 1e12, max: 2e12 }), fc.integer({ min: 1, max: 9 }), fc.nat(1e6), (batch, sentAt, attempt, configTime) => {
        const req = buildBrazeRequest(batch, sentAt, { attempt, previousSentAt: sentAt - 1234, keepalive: false }, deviceId, settings, configTime);
        const body = JSON.parse(req.body!) as Record<string, unknown> & { events: { name: string; user_id?: string }[] };
        const events = batch.flatMap((i) => ('event' in i ? [JSON.parse(JSON.stringify(i.event))] : []));
        const hasDevice = batch.some((i) => 'device' in i);
        expect(req.method).toBe('POST');
        expect(req.url).toBe(settings.url);
        expect(Object.keys(body)).toEqual(
          ['respond_with', ...(hasDevice ? ['device'] : []), 'api_key', 'time', ...(events.some((e) => e.name == 'ss') ? ['sdk_metadata'] : []), 'sdk_version', 'device_id', 'events'],
        );
        expect(body.time).toBe(Math.floor(sentAt / 1000));
        const user = events[events.length - 1]?.user_id;
        expect(body.respond_with).toEqual(user === undefined ? { config: { config_time: configTime } } : { user_id: user, config: { config_time: configTime } });
        expect(body).toMatchObject({ api_key: 'api-key-1', sdk_version: BRAZE_WIRE_SDK_VERSION, device_id: deviceId });
        if (hasDevice) expect(body.device).toEqual(device);
        if ('sdk_metadata' in body) expect(body.sdk_metadata).toEqual(['npm']);
        expect(body.events).toEqual(events);
        expect(req.headers).toEqual({
          'Content-Type': 'application/json',
          'X-Requested-With': 'XMLHttpRequest',
          'X-Braze-Api-Key': 'api-key-1',
          // After a user change (the batch carries the device again) the Web SDK starts this count afresh.
          'X-Braze-Last-Req-Ms-Ago': hasDevice ? '7200000' : '1234',
          'X-Braze-Req-Attempt': String(attempt),
        });
      }),
    );
  });

  it('writes sdk_flavor and app_version when set, and 7200000 before any request', () => {
    const req = buildBrazeRequest([], 1e12, firstAttempt, deviceId, { ...settings, sdkFlavor: 'wordpress', appVersion: '2.4.1' });
    expect(JSON.parse(req.body!)).toMatchObject({ sdk_flavor: 'wordpress', app_version: '2.4.1' });
    expect(req.headers!['X-Braze-Last-Req-Ms-Ago']).toBe('7200000');
  });

  it('leaves out a damaged stored item instead of failing the batch', () => {
    const batch = [{}, { event: null }, { attributes: { user_id: 'u1' } }] as unknown as BrazeOutboxItem[];
    const body = JSON.parse(buildBrazeRequest(batch, 1e12, firstAttempt, deviceId, settings).body!);
    expect(body.events).toEqual([]);
    expect(body.device).toBeUndefined();
  });
});

describe('request: refusals in a 2xx answer', () => {
  it('names a wrong key and what to check, says SDK authentication is not supported, and takes anything else as accepted', () => {
    const url = settings.url;
    expect(brazeRefusal({ error: 'invalid_api_key' }, 'k1', url)).toBe(
      'Braze refused the request: invalid_api_key: apiKey "k1" is not an app of https://sdk.iad-01.braze.com/api/v3; check apiKey and baseUrl',
    );
    expect(brazeRefusal({ error: 'blacklisted' }, 'k1', url)).toBe('Braze refused the request: blacklisted');
    expect(brazeRefusal({ auth_error: { error_code: 1 } }, 'k1', url)).toContain('SDK authentication');
    for (const accepted of [null, {}, { config: { time: 5 } }, { error: '' }]) expect(brazeRefusal(accepted, 'k1', url)).toBeNull();
  });
});
