import { SessionHubConfigError } from '@sessionhub/core';
import {
  CLEVERTAP_SESSION_NEUTRAL_EVENTS,
  clevertapKit,
  CleverTapKitConfigError,
  resolveCleverTapOptions,
  type CleverTapKitOptions,
} from '@sessionhub/kit-clevertap';
import { describe, expect, it } from 'vitest';

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
    const r = resolveCleverTapOptions(valid);
    expect(r).toMatchObject({
      name: 'clevertap',
      endpoint: 'https://eu1.clevertap-prod.com',
      os: 'Web',
      sessionAttributePrefix: 'sh_',
      appFields: {},
    });
    expect(r.sessionNeutralEvents).toEqual(CLEVERTAP_SESSION_NEUTRAL_EVENTS);
    const kit = clevertapKit(valid);
    expect(kit.name).toBe('clevertap');
    expect(kit.sessionNeutralEvents).toEqual([
      'App Installed', 'App Uninstalled', 'Notification Sent', 'Notification Clicked', 'UTM Visited',
      'Identity Set', 'Identity Reset', 'Identity Error', 'Push Impressions',
    ]);
  });

  it('a region picks the regional endpoint; an endpoint is used as given, without a trailing slash', () => {
    expect(resolveCleverTapOptions({ ...valid, region: 'IN1' }).endpoint).toBe('https://in1.clevertap-prod.com');
    expect(resolveCleverTapOptions({ ...valid, endpoint: 'http://127.0.0.1:8080/ct/' }).endpoint).toBe('http://127.0.0.1:8080/ct');
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
    [{ ...valid, region: 'eu1', endpoint: 'https://x' }, 'endpoint'],
    [{ ...valid, endpoint: 'ftp://x' }, 'endpoint'],
    [{ ...valid, endpoint: 'https://x/?a=1' }, 'endpoint'],
    [{ ...valid, endpoint: 'not a url' }, 'endpoint'],
    [{ ...valid, os: '' }, 'os'],
    [{ ...valid, appFields: { Version: {} } }, 'appFields'],
    [{ ...valid, appFields: [] }, 'appFields'],
    [{ ...valid, sessionNeutralEvents: 'App Installed' }, 'sessionNeutralEvents'],
    [{ ...valid, sessionNeutralEvents: [''] }, 'sessionNeutralEvents'],
    [{ ...valid, sessionAttributePrefix: '' }, 'sessionAttributePrefix'],
    [{ ...valid, sessionAttributePrefix: 'a.b' }, 'sessionAttributePrefix'],
    [{ ...valid, sessionAttributePrefix: ' sh' }, 'sessionAttributePrefix'],
    [{ ...valid, name: 'no spaces please' }, 'name'],
    [{ ...valid, delivery: { transport: 'fetch' } }, 'delivery'],
    [{ ...valid, delivery: { flushIntervalMs: -1 } }, 'delivery'],
    [{ ...valid, delivery: { retries: 3 } }, 'delivery'],
    [{ ...valid, apiKey: 'x' }, 'apiKey'],
  ])('refuses %j, naming option %s', (options, option) => {
    const error = problem(options);
    expect(error.option).toBe(option);
    expect(error.message).toMatch(/^SessionHub setup: clevertapKit: option "/);
  });

  it('never echoes the token in an error', () => {
    const error = problem({ ...valid, token: 'secret value' });
    expect(error.message).not.toContain('secret');
  });
});
