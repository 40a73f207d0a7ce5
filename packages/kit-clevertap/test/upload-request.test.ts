import { cleverTapGuid, type CleverTapUploadItem } from '@sessionhub/kit-clevertap';
import { MAX_ITEMS_PER_REQUEST, uploadRequestBuilder } from '../src/upload-request';
import { KIT_VERSION } from '../src/version';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const options = { accountId: 'W9R-486-4W5Z', token: 'abc-def', os: 'Android', appFields: { Version: '2.3.1', Build: 231 } };
const builder = () => uploadRequestBuilder('https://eu1.clevertap-prod.com', options, cleverTapGuid('0b1e2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'));

const items: CleverTapUploadItem[] = [
  { type: 'event', evtName: 'a', evtData: { x: 1 }, s: 1767268800, pg: 1, ep: 1767268801, f: true, lsl: 0 },
  { type: 'profile', profile: { Identity: 'u-1' }, s: 1767268800, pg: 1, ep: 1767268802, f: true, lsl: 0 },
];

describe('the /a1 upload request', () => {
  it('posts to {endpoint}/a1 with os, t, z and the send time ts', () => {
    const sentAt = Date.UTC(2026, 0, 1, 12) + 1_999;
    const request = builder()(items, sentAt);
    expect(request.method).toBe('POST');
    const url = new URL(request.url);
    expect(`${url.origin}${url.pathname}`).toBe('https://eu1.clevertap-prod.com/a1');
    expect([...url.searchParams]).toEqual([
      ['os', 'Android'],
      ['t', KIT_VERSION],
      ['z', 'W9R-486-4W5Z'],
      ['ts', String(Math.floor(sentAt / 1000))],
    ]);
    expect(request.headers).toEqual({
      'Content-Type': 'application/json; charset=utf-8',
      'X-CleverTap-Account-ID': 'W9R-486-4W5Z',
      'X-CleverTap-Token': 'abc-def',
    });
  });

  it('sends a JSON array: the meta header first, then the items in order', () => {
    const body = JSON.parse(builder()(items, 0).body!) as unknown[];
    expect(body).toEqual([
      {
        type: 'meta',
        g: '__0b1e2c3d4e5f4a6b8c7d9e0f1a2b3c4d',
        af: { OS: 'Android', lib: `sessionhub-kit-clevertap/${KIT_VERSION}`, Version: '2.3.1', Build: 231 },
        id: 'W9R-486-4W5Z',
        tk: 'abc-def',
      },
      ...items,
    ]);
  });

  it('defaults os to Web', () => {
    const request = uploadRequestBuilder('https://x.test', { accountId: 'A-1', token: 't' }, '__g')([], 0);
    expect(request.url).toBe('https://x.test/a1?os=Web&t=' + KIT_VERSION + '&z=A-1&ts=0');
    expect(JSON.parse(request.body!)).toEqual([{ type: 'meta', g: '__g', af: { OS: 'Web', lib: `sessionhub-kit-clevertap/${KIT_VERSION}` }, id: 'A-1', tk: 't' }]);
  });

  it('stamps ts at each call (send time, again on a retry)', () => {
    const build = builder();
    const first = new URL(build(items, 1_000_000).url).searchParams.get('ts');
    const retry = new URL(build(items, 1_005_000).url).searchParams.get('ts');
    expect([first, retry]).toEqual(['1000', '1005']);
  });

  it('a body is valid JSON for any batch of items', () => {
    const item = fc.record({
      type: fc.constant('event' as const),
      evtName: fc.string({ minLength: 1 }),
      evtData: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean())),
      s: fc.nat(),
      pg: fc.nat(),
      ep: fc.nat(),
      f: fc.boolean(),
      lsl: fc.nat(),
    });
    fc.assert(
      fc.property(fc.array(item, { maxLength: MAX_ITEMS_PER_REQUEST }), (batch) => {
        const body = JSON.parse(builder()(batch, 0).body!) as unknown[];
        expect(body.slice(1)).toEqual(batch);
      }),
    );
  });

  it('batches at most 50 items, as CleverTap SDKs do', () => {
    expect(MAX_ITEMS_PER_REQUEST).toBe(50);
  });
});

describe('cleverTapGuid', () => {
  it('is "__" + the UUID without dashes, CleverTap\'s own device id format', () => {
    fc.assert(
      fc.property(fc.uuid(), (uuid) => {
        const g = cleverTapGuid(uuid);
        expect(g).toMatch(/^__[0-9a-f]{32}$/);
        expect(g).toBe(`__${uuid.replace(/-/g, '').toLowerCase()}`);
      }),
    );
  });
});

describe('KIT_VERSION', () => {
  it('is the package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(KIT_VERSION).toBe(pkg.version);
  });
});
