import { createHub, SessionHubConfigError } from '@sessionhub/core';
import {
  CLEVERTAP_SESSION_NEUTRAL_EVENTS,
  clevertapKit,
  CleverTapKitConfigError,
  type CleverTapKitOptions,
} from '@sessionhub/kit-clevertap';
import { describe, expect, it } from 'vitest';
import { checkCleverTapOptions } from '../src/options';

const valid = { accountId: 'W9R-486-4W5Z', token: 'abc-def' };

function problem(options: unknown): CleverTapKitConfigError {
  try {
    clevertapKit(options as CleverTapKitOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(CleverTapKitConfigError);
    expect(error).toBeInstanceOf(SessionHubConfigError);
    return error as CleverTapKitConfigError;
  }
  throw new Error('expected clevertapKit to throw');
}

describe('clevertapKit options', () => {
  it('defaults: region eu1, os Web, prefix sh_, name clevertap, CleverTap session-neutral events', () => {
    expect(checkCleverTapOptions(valid)).toBe('https://eu1.clevertap-prod.com');
    const kit = clevertapKit(valid);
    expect(kit.sessionNeutralEvents).toEqual(CLEVERTAP_SESSION_NEUTRAL_EVENTS);
    expect(kit.name).toBe('clevertap');
    expect(kit.sessionNeutralEvents).toEqual([
      'App Installed', 'App Uninstalled', 'Notification Sent', 'Notification Clicked', 'Notification Viewed',
      'UTM Visited', 'Identity Set', 'Identity Reset', 'Identity Error',
    ]);
  });

  it('a region picks the regional endpoint; an endpoint is used as given, without a trailing slash', () => {
    expect(checkCleverTapOptions({ ...valid, region: 'IN1' })).toBe('https://in1.clevertap-prod.com');
    expect(checkCleverTapOptions({ ...valid, endpoint: 'http://127.0.0.1:8080/ct/' })).toBe('http://127.0.0.1:8080/ct');
  });

  it('opting out of session-neutral events: [] or a shorter list', () => {
    expect(clevertapKit({ ...valid, sessionNeutralEvents: [] }).sessionNeutralEvents).toEqual([]);
    expect(clevertapKit({ ...valid, sessionNeutralEvents: ['App Installed'] }).sessionNeutralEvents).toEqual(['App Installed']);
  });

  it.each([
    [undefined, 'options'],
    [{ token: 't' }, 'accountId'],
    [{ ...valid, accountId: 'has space' }, 'accountId'],
    [{ ...valid, token: '' }, 'token'],
    [{ ...valid, token: 'a b' }, 'token'],
    [{ ...valid, region: 'eu1.evil.com/' }, 'region'],
    [{ ...valid, region: 'a'.repeat(65) }, 'region'],
    [{ ...valid, region: 'eu1', endpoint: 'https://x' }, 'endpoint'],
    [{ ...valid, endpoint: 'ftp://x' }, 'endpoint'],
    [{ ...valid, endpoint: 'https://x/?a=1' }, 'endpoint'],
    [{ ...valid, endpoint: 'not a url' }, 'endpoint'],
    [{ ...valid, endpoint: 'https://user:pw@x' }, 'endpoint'],
    [{ ...valid, endpoint: 'https://x/#top' }, 'endpoint'],
    [{ ...valid, os: '' }, 'os'],
    [{ ...valid, appFields: { Version: {} } }, 'appFields'],
    [{ ...valid, appFields: [] }, 'appFields'],
    [{ ...valid, sessionConcluded: 'yes' }, 'sessionConcluded'],
    [{ ...valid, sessionAttributePrefix: '' }, 'sessionAttributePrefix'],
    [{ ...valid, sessionAttributePrefix: 'a.b' }, 'sessionAttributePrefix'],
    [{ ...valid, sessionAttributePrefix: ' sh' }, 'sessionAttributePrefix'],
    [{ ...valid, name: '' }, 'name'],
    [{ ...valid, delivery: { transport: 'fetch' } }, 'delivery'],
    [{ ...valid, delivery: { flushIntervalMs: -1 } }, 'delivery'],
    [{ ...valid, delivery: { retries: 3 } }, 'delivery'],
    [{ ...valid, delivery: [] }, 'delivery'],
    [{ ...valid, delivery: null }, 'delivery'],
    [{ ...valid, apiKey: 'x' }, 'apiKey'],
  ])('refuses %j, naming option %s', (options, option) => {
    const error = problem(options);
    expect(error.option).toBe(option);
    expect(error.message).toMatch(/^SessionHub setup: clevertapKit: option "/);
  });

  it('says what each option must be', () => {
    expect(problem({ token: 't' }).message).toBe('SessionHub setup: clevertapKit: option "accountId" must be an Account ID like "W9R-486-4W5Z"');
    expect(problem({ ...valid, apiKey: 'x' }).message).toBe('SessionHub setup: clevertapKit: option "apiKey" is not an option');
    expect(problem({ ...valid, sessionAttributePrefix: 'a.b' }).message).toMatch(/must be 1 to 40 characters without \. : \$ ' " \\ or surrounding spaces$/);
    expect(problem({ ...valid, region: 'eu1', endpoint: 'https://x' }).message).toMatch(/option "endpoint" and "region" exclude each other$/);
  });

  it('names the option whose read throws (a getter or a revoked Proxy, in the option or inside it)', () => {
    const throwing = { get Version(): string { throw new Error('not ready'); } };
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    for (const [options, option] of [
      [{ ...valid, appFields: throwing }, 'appFields'],
      [{ ...valid, appFields: proxy }, 'appFields'],
      [{ ...valid, delivery: { get maxBatchItems(): number { throw new Error('not ready'); } } }, 'delivery'],
      [{ accountId: 'W9R-486-4W5Z', get token(): string { throw new Error('not ready'); } }, 'token'],
    ] as const) {
      const error = problem(options);
      expect(error, option).toBeInstanceOf(CleverTapKitConfigError);
      expect(error.option).toBe(option);
      expect(error.message).toBe(`SessionHub setup: clevertapKit: option "${option}" could not be read (a Proxy or a getter threw)`);
    }
  });

  it('checks delivery settings as the outbox will, when the kit is created', () => {
    expect(problem({ ...valid, delivery: { flushIntervalMs: -1 } }).message).toMatch(/option "delivery" is wrong: flushIntervalMs must be a number ≥ 0$/);
    expect(problem({ ...valid, delivery: { retries: 3 } }).message).toMatch(/option "delivery" is wrong: "retries" is not a delivery setting$/);
    // A timer waits at most 2^31 − 1 ms: a longer timeout would abort every request at once.
    expect(problem({ ...valid, delivery: { requestTimeoutMs: 2 ** 31 } }).message).toMatch(/option "delivery" is wrong: requestTimeoutMs must be a number from 1 to 2147483647$/);
    expect(problem({ ...valid, delivery: { timers: {} } }).message).toMatch(/timers must have setTimeout and clearTimeout$/);
    expect(problem({ ...valid, delivery: [] }).message).toMatch(/option "delivery" is wrong: must be an object of outbox settings$/);
    expect(() => clevertapKit({ ...valid, delivery: { maxBatchItems: 10, keepaliveMaxBytes: 0, maxAttempts: Infinity, transport: undefined } })).not.toThrow();
  });

  it('leaves the form of a kit name and of the session-neutral list to the hub, which checks them for every kit', () => {
    expect(() => createHub({ kits: [clevertapKit({ ...valid, name: 'no spaces please' })] })).toThrow(/kit name "no spaces please" must be 1–64 letters, digits/);
    const neutral = 'App Installed' as unknown as string[];
    expect(() => createHub({ kits: [clevertapKit({ ...valid, sessionNeutralEvents: neutral })] })).toThrow(/sessionNeutralEvents must be an array of event names/);
  });

  it('never echoes the token in an error', () => {
    const error = problem({ ...valid, token: 'secret value' });
    expect(error.message).not.toContain('secret');
  });
});
