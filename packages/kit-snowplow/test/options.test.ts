import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createHub, SessionHubConfigError } from '@sessionhub/core';
import { snowplowKit, SnowplowKitConfigError, type SnowplowKitOptions } from '@sessionhub/kit-snowplow';
import { resolveSnowplowOptions, SNOWPLOW_KIT_VERSION } from '@sessionhub/kit-snowplow/protocol';

const BASE = { collectorUrl: 'https://collector.example.com', appId: 'app' } as const;

/** The error the factory throws for these options. */
function setupError(options: unknown): SnowplowKitConfigError {
  try {
    snowplowKit(options as SnowplowKitOptions);
  } catch (error) {
    return error as SnowplowKitConfigError;
  }
  throw new Error(`no error for ${JSON.stringify(options)}`);
}

describe('snowplowKit options', () => {
  it('defaults: mob, base64, LOCAL_STORAGE, namespace sessionhub, lifecycle on, no session events, tp2 endpoint', () => {
    const o = resolveSnowplowOptions(BASE);
    expect(o).toMatchObject({
      name: 'snowplow',
      endpoint: 'https://collector.example.com/com.snowplowanalytics.snowplow/tp2',
      appId: 'app',
      namespace: 'sessionhub',
      platform: 'mob',
      encodeBase64: true,
      storageMechanism: 'LOCAL_STORAGE',
      catchAllSchema: null,
      structuredEventCategory: 'sessionhub',
      globalEntitiesJson: '',
      entitiesFor: null,
      lifecycleEvents: true,
      sessionEvents: { start: null, end: null },
      delivery: {},
    });
    expect(o.events.size).toBe(0);
    expect(snowplowKit(BASE).name).toBe('snowplow');
    // Only the delivery options given, so the kit's Snowplow defaults stay under them.
    expect(resolveSnowplowOptions({ ...BASE, delivery: { maxAttempts: Infinity, flushIntervalMs: 0 } }).delivery).toEqual({ maxAttempts: Infinity, flushIntervalMs: 0 });
  });

  it('the collector URL may end with a slash or the tp2 path; the endpoint is the same', () => {
    for (const url of ['https://c.example.com/', 'https://c.example.com//', 'https://c.example.com/com.snowplowanalytics.snowplow/tp2', ' https://c.example.com ']) {
      expect(resolveSnowplowOptions({ ...BASE, collectorUrl: url }).endpoint).toBe('https://c.example.com/com.snowplowanalytics.snowplow/tp2');
    }
    expect(resolveSnowplowOptions({ ...BASE, collectorUrl: 'http://localhost:9090/sp' }).endpoint).toBe('http://localhost:9090/sp/com.snowplowanalytics.snowplow/tp2');
  });

  it('event mappings are kept in a Map: names such as __proto__ are ordinary', () => {
    const events = JSON.parse('{"__proto__":"iglu:com.acme/a/jsonschema/1-0-0","b":{"entities":[{"schema":"iglu:com.acme/cart/jsonschema/1-0-0","data":{"currency":"EUR"}}]}}');
    const o = resolveSnowplowOptions({ ...BASE, events });
    expect(o.events.get('__proto__')).toEqual({ schema: 'iglu:com.acme/a/jsonschema/1-0-0', entitiesJson: '' });
    expect(o.events.get('b')).toEqual({ schema: null, entitiesJson: '{"schema":"iglu:com.acme/cart/jsonschema/1-0-0","data":{"currency":"EUR"}}' });
    expect(o.events.get('constructor')).toBeUndefined();
  });

  it.each<[string, unknown, string]>([
    ['options', null, 'must be an object with collectorUrl and appId, got null'],
    ['options', 'https://c', 'must be an object with collectorUrl and appId, got "https://c"'],
    ['collectorUrl', { appId: 'a' }, 'http(s) URL'],
    ['collectorUrl', { ...BASE, collectorUrl: 'collector.example.com' }, 'http(s) URL'],
    ['collectorUrl', { ...BASE, collectorUrl: 'https://c.example.com?x=1' }, 'without query'],
    ['collectorUrl', { ...BASE, collectorUrl: 'ftp://c.example.com' }, 'http(s)'],
    ['appId', { collectorUrl: BASE.collectorUrl }, 'non-empty string'],
    ['appId', { ...BASE, appId: '  ' }, 'non-empty string'],
    ['platform', { ...BASE, platform: 'android' }, 'one of mob, web'],
    ['storageMechanism', { ...BASE, storageMechanism: 'local' }, 'LOCAL_STORAGE'],
    ['encodeBase64', { ...BASE, encodeBase64: 'yes' }, 'true or false'],
    ['lifecycleEvents', { ...BASE, lifecycleEvents: 1 }, 'true or false'],
    ['events', { ...BASE, events: ['a'] }, 'must be an object: event name → Iglu URI or { schema?, entities? }, got an array'],
    ['events.play', { ...BASE, events: { play: 'com.acme/play/1-0-0' } }, 'must be an Iglu URI or { schema?, entities? }, got "com.acme/play/1-0-0"'],
    ['events.play', { ...BASE, events: { play: 42 } }, 'must be an Iglu URI or { schema?, entities? }, got 42'],
    ['events.play.schemas', { ...BASE, events: { play: { schemas: 'x' } } }, 'is unknown (known: schema, entities)'],
    ['events.play.schema', { ...BASE, events: { play: { schema: 'iglu:com.acme/play/jsonschema/1.0.0' } } }, 'Iglu URI'],
    ['events.play.entities[0]', { ...BASE, events: { play: { entities: [{ schema: 'iglu:com.acme/a/jsonschema/1-0-0' }] } } }, '(iglu:com.acme/a/jsonschema/1-0-0) needs "data" that JSON can hold'],
    ['catchAllSchema', { ...BASE, catchAllSchema: 'generic' }, 'Iglu URI'],
    ['structuredEventCategory', { ...BASE, structuredEventCategory: '' }, 'non-empty string'],
    ['globalEntities', { ...BASE, globalEntities: { schema: 'x' } }, 'an array of { schema, data }'],
    ['globalEntities[1]', { ...BASE, globalEntities: [{ schema: 'iglu:a/b/jsonschema/1-0-0', data: {} }, { schema: 'b', data: {} }] }, 'needs "schema": an Iglu URI'],
    ['globalEntities[0]', { ...BASE, globalEntities: [{ schema: 'iglu:a/b/jsonschema/1-0-0', data: { n: 1n } }] }, 'needs "data" that JSON can hold'],
    ['globalEntities[0]', { ...BASE, globalEntities: [7] }, 'needs "schema"'],
    // enrich's maxJsonDepth 40: anything at depth 37 of data (level 40) would fail every event.
    ['globalEntities[0]', { ...BASE, globalEntities: [{ schema: 'iglu:a/b/jsonschema/1-0-0', data: JSON.parse('{"a":'.repeat(37) + '1' + '}'.repeat(37)) }] }, 'has data nested deeper than Snowplow\'s enrich takes'],
    ['events.play.entities[0]', { ...BASE, events: { play: { entities: [{ schema: 'iglu:a/b/jsonschema/1-0-0', data: JSON.parse('['.repeat(38) + ']'.repeat(38)) }] } } }, 'has data nested deeper'],
    ['entitiesFor', { ...BASE, entitiesFor: [] }, 'must be a function'],
    ['sessionEvents', { ...BASE, sessionEvents: true }, 'must be false or { start?, end? } (Iglu URIs or false), got true'],
    ['sessionEvents.begin', { ...BASE, sessionEvents: { begin: 'iglu:a/b/jsonschema/1-0-0' } }, 'unknown'],
    ['sessionEvents.end', { ...BASE, sessionEvents: { end: 'x' } }, 'Iglu URI'],
    // enrich caps name_tracker at 128 characters: every event would fail.
    ['namespace', { ...BASE, namespace: 'n'.repeat(129) }, 'must be a non-empty string (≤ 128 characters)'],
    ['delivery', { ...BASE, delivery: 5 }, 'must be an object'],
    ['delivery.maxBatchItems', { ...BASE, delivery: { maxBatchItems: 0 } }, '≥ 1'],
    ['delivery.flushIntervalMs', { ...BASE, delivery: { flushIntervalMs: Number.NaN } }, '≥ 0'],
    ['delivery.transport', { ...BASE, delivery: { transport: 'fetch' } }, 'must be a function'],
    ['delivery.timers', { ...BASE, delivery: { timers: {} } }, 'setTimeout and clearTimeout, got an object'],
    ['delivery.retries', { ...BASE, delivery: { retries: 3 } }, 'is wrong: "retries" is not a delivery setting, got 3'],
    ['delivery.maxAttempts', { ...BASE, delivery: { maxAttempts: '3' } }, 'must be a number ≥ 1, got "3"'],
    ['delivery.requestTimeoutMs', { ...BASE, delivery: { requestTimeoutMs: Infinity } }, 'must be a number from 1 to 2147483647, got Infinity'],
    ['__proto__', { ...BASE, ...JSON.parse('{"__proto__":{}}') }, 'is unknown'],
    ['name', { ...BASE, name: 7 }, 'must be a kit name, got 7'],
    ['colectorUrl', { ...BASE, colectorUrl: 'x' }, 'is unknown'],
  ])('%s (case %#) is refused with a typed error saying what to fix', (option, options, says) => {
    const error = setupError(options);
    expect(error).toBeInstanceOf(SnowplowKitConfigError);
    expect(error).toBeInstanceOf(SessionHubConfigError);
    expect(error.option).toBe(option);
    expect(error.message).toContain('snowplowKit');
    expect(error.message).toContain(says);
  });

  /** An entity whose data throws when read. */
  const throwing = (): object => ({
    schema: 'iglu:com.acme/user/jsonschema/1-0-0',
    get data(): unknown {
      throw new Error('not ready');
    },
  });
  const revoked = (): object => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  };
  it.each([
    ['appId', { ...BASE, appId: revoked() }],
    ['namespace', { ...BASE, get namespace(): string { throw new Error('not ready'); } }],
    ['delivery', { ...BASE, delivery: revoked() }],
    ['delivery.maxBatchItems', { ...BASE, delivery: { get maxBatchItems(): number { throw new Error('not ready'); } } }],
    ['events.cart', { ...BASE, events: { cart: { schema: 'iglu:com.acme/cart/jsonschema/1-0-0', entities: [throwing()] } } }],
    ['events.cart', { ...BASE, events: { get cart(): string { throw new Error('not ready'); } } }],
    ['globalEntities', { ...BASE, globalEntities: [throwing()] }],
    ['sessionEvents.start', { ...BASE, sessionEvents: { get start(): string { throw new Error('not ready'); } } }],
    ['options', revoked()],
  ])('names %s when reading it throws (a getter or a revoked Proxy, in the option or inside it)', (option, options) => {
    const error = setupError(options);
    expect(error).toBeInstanceOf(SnowplowKitConfigError);
    expect(error.option).toBe(option);
    expect(error.message).toBe(`SessionHub setup: snowplowKit: option "${option}" could not be read (a Proxy or a getter threw)`);
  });

  it('describes a long string by its length, never prints it', () => {
    const error = setupError({ ...BASE, appId: 'x'.repeat(1 << 20) });
    expect(error.option).toBe('appId');
    expect(error.message).toBe('SessionHub setup: snowplowKit: option "appId" must be a non-empty string (≤ 255 characters), got a string of 1048576 characters');
    // A short one is quoted, as it was given.
    expect(setupError({ ...BASE, appId: ' ' }).message).toMatch(/, got " "$/);
    expect(setupError({ ...BASE, delivery: { maxAttempts: '3'.repeat(65) } }).message).toMatch(/, got a string of 65 characters$/);
  });

  it('in a web page the platform is web, sent as the browser tracker sends it: plain JSON, no lifecycle events; what is given stays', () => {
    expect(resolveSnowplowOptions(BASE, true)).toMatchObject({ platform: 'web', encodeBase64: false, lifecycleEvents: false });
    expect(resolveSnowplowOptions({ ...BASE, platform: 'web' })).toMatchObject({ platform: 'web', encodeBase64: false, lifecycleEvents: false });
    expect(resolveSnowplowOptions({ ...BASE, platform: 'mob' }, true)).toMatchObject({ platform: 'mob', encodeBase64: true, lifecycleEvents: true });
    expect(resolveSnowplowOptions({ ...BASE, encodeBase64: true, lifecycleEvents: true }, true)).toMatchObject({ platform: 'web', encodeBase64: true, lifecycleEvents: true });
  });

  it('a namespace of 128 characters, enrich\'s limit for name_tracker, is taken', () => {
    expect(resolveSnowplowOptions({ ...BASE, namespace: 'n'.repeat(128) }).namespace).toHaveLength(128);
  });

  it('the form of the kit name is the hub\'s rule for every kit', () => {
    const kit = snowplowKit({ ...BASE, name: 'snow plow' });
    expect(() => createHub({ kits: [kit] })).toThrow(SessionHubConfigError);
    expect(() => createHub({ kits: [kit] })).toThrow('letters, digits');
  });

  it('the tracker version (tv) follows package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(SNOWPLOW_KIT_VERSION).toBe(pkg.version);
  });
});
