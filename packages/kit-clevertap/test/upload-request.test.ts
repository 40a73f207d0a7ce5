import { cleverTapGuid, type CleverTapUploadItem } from '@sessionhub/kit-clevertap';
import { MAX_ITEMS_PER_REQUEST, uploadRequestBuilder, type QueuedItem } from '../src/upload-request';
import { KIT_VERSION, KIT_VERSION_CODE } from '../src/version';
import type { SendInfo } from '@sessionhub/delivery';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const af = { OS: 'Android', lib: `sessionhub-kit-clevertap/${KIT_VERSION}`, Version: '2.3.1', Build: 231 };
const setup = { endpoint: 'https://eu1.clevertap-prod.com', accountId: 'W9R-486-4W5Z', token: 'abc-def', os: 'Android', af, firstRequest: () => 1767268700 };
const builder = () => uploadRequestBuilder(setup);
const G = cleverTapGuid('0b1e2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d');
const info: SendInfo = { attempt: 1, previousSentAt: null, keepalive: false };
const queued = (list: readonly CleverTapUploadItem[], first?: 1): QueuedItem[] =>
  list.map((item, i) => (i === 0 && first ? [G, JSON.stringify(item), first] : [G, JSON.stringify(item)]));

const items: CleverTapUploadItem[] = [
  { type: 'event', evtName: 'a', evtData: { x: 1 }, s: 1767268800, pg: 1, ep: 1767268801, f: true, lsl: 0 },
  { type: 'profile', profile: { Identity: 'u-1' }, s: 1767268800, pg: 1, ep: 1767268802, f: true, lsl: 0 },
];

describe('the /a1 upload request', () => {
  it('posts to {endpoint}/a1 with os, t, z and the send time ts', () => {
    const sentAt = Date.UTC(2026, 0, 1, 12) + 1_999;
    const request = builder()(queued(items), sentAt, info);
    expect(request.method).toBe('POST');
    const url = new URL(request.url);
    expect(`${url.origin}${url.pathname}`).toBe('https://eu1.clevertap-prod.com/a1');
    expect([...url.searchParams]).toEqual([
      ['os', 'Android'],
      ['t', String(KIT_VERSION_CODE)],
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
    const body = JSON.parse(builder()(queued(items, 1), 0, { ...info, previousSentAt: 1767268799_999 }).body!) as unknown[];
    expect(body).toEqual([
      { type: 'meta', g: '__0b1e2c3d4e5f4a6b8c7d9e0f1a2b3c4d', af, id: 'W9R-486-4W5Z', tk: 'abc-def', l_ts: 1767268799, f_ts: 1767268700, frs: true },
      ...items,
    ]);
  });

  it('says frs only for a request that carries a session\'s first item, and l_ts 0 for the first request', () => {
    const [meta] = JSON.parse(builder()(queued(items), 0, info).body!) as [{ frs: boolean; l_ts: number }];
    expect(meta).toMatchObject({ frs: false, l_ts: 0 });
  });

  it('stamps ts at each call (send time, again on a retry)', () => {
    const build = builder();
    const first = new URL(build(queued(items), 1_000_000, info).url).searchParams.get('ts');
    const retry = new URL(build(queued(items), 1_005_000, info).url).searchParams.get('ts');
    expect([first, retry]).toEqual(['1000', '1005']);
  });

  it('a body is valid JSON for any batch of items (the outbox never builds an empty one)', () => {
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
      fc.property(fc.array(item, { minLength: 1, maxLength: MAX_ITEMS_PER_REQUEST }), (batch) => {
        const body = JSON.parse(builder()(queued(batch), 0, info).body!) as unknown[];
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
  it('is the package version, and KIT_VERSION_CODE its integer code as the SDKs send `t` (major × 10 000 + minor × 100 + patch)', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(KIT_VERSION).toBe(pkg.version);
    const [major, minor, patch] = pkg.version.split('.').map(Number) as [number, number, number];
    expect(KIT_VERSION_CODE).toBe(major * 10_000 + minor * 100 + patch);
  });
});
