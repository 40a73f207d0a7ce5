import { describe, expect, it } from 'vitest';
import { createHub, SessionHubConfigError } from '@sessionhub/core';
import { BrazeKitConfigError, brazeKit, type BrazeKitOptions } from '@sessionhub/kit-braze';

const valid: BrazeKitOptions = { apiKey: 'key', baseUrl: 'sdk.iad-01.braze.com' };

/** A revoked Proxy: every read of it throws. */
function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

function errorOf(options: unknown): BrazeKitConfigError {
  try {
    brazeKit(options as BrazeKitOptions);
  } catch (error) {
    return error as BrazeKitConfigError;
  }
  throw new Error('expected brazeKit to throw');
}

describe('brazeKit(options)', () => {
  it('returns a kit named braze (or as named) for valid options', () => {
    expect(brazeKit(valid).name).toBe('braze');
    expect(brazeKit({ ...valid, name: 'braze-eu' }).name).toBe('braze-eu');
    expect(brazeKit({ ...valid, sessionAttributes: 'custom-event', sessionAttributesEventName: 'Session Summary', brazeSessionTimeout: 60, brazePlatform: 'web', sdkFlavor: 'react-native', appVersion: '1.0.0', flushIntervalMs: 0, device: { os_version: 'iOS 18.1' } }).name).toBe('braze');
  });

  it('throws a typed error naming the option and what to fix', () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [undefined, 'options', /option "options" must be an object such as \{ apiKey, baseUrl \}$/],
      [{ baseUrl: 'x.example' }, 'apiKey', /option "apiKey" must be your Braze app API key \(Settings > App Settings\)$/],
      [{ apiKey: '  ', baseUrl: 'x.example' }, 'apiKey', /API key/],
      [{ apiKey: 'k' }, 'baseUrl', /option "baseUrl" must be your Braze SDK endpoint, an http\(s\) host or URL, e\.g\. "sdk\.iad-01\.braze\.com"$/],
      [{ apiKey: 'k', baseUrl: 'ftp://x.example' }, 'baseUrl', /http\(s\)/],
      [{ ...valid, name: '' }, 'name', /a kit name/],
      [{ ...valid, sdkVersion: '' }, 'sdkVersion', /non-empty/],
      [{ ...valid, sessionAttributes: 'event' }, 'sessionAttributes', /'off' or 'custom-event'/],
      [{ ...valid, sessionAttributesEventName: '$session' }, 'sessionAttributesEventName', /a Braze event name \(.*not starting with "\$"/],
      [{ ...valid, sessionAttributesEventName: '' }, 'sessionAttributesEventName', /1 to 255/],
      [{ ...valid, sessionAttributesEventName: 7 }, 'sessionAttributesEventName', /a Braze event name/],
      [{ ...valid, brazeSessionTimeout: 0.5 }, 'brazeSessionTimeout', />= 1/],
      [{ ...valid, brazeSessionTimeout: Number.NaN }, 'brazeSessionTimeout', /seconds >= 1/],
      [{ ...valid, brazePlatform: 'android' }, 'brazePlatform', /'web' or 'mobile'/],
      [{ ...valid, flushIntervalMs: -1 }, 'flushIntervalMs', />= 0/],
      [{ ...valid, device: 'iOS' }, 'device', /an object of string device fields/],
      [{ ...valid, device: { os_version: 18 } }, 'device', /string device fields/],
      // Not a plain object: sent as {"0":"iOS"} or {}.
      [{ ...valid, device: ['iOS'] }, 'device', /string device fields/],
      [{ ...valid, device: new Map([['os_version', 'iOS']]) }, 'device', /string device fields/],
      [{ ...valid, transport: 'fetch' }, 'transport', /function/],
      [{ ...valid, brazePlatform: Object.create(null) }, 'brazePlatform', /'web' or 'mobile'/],
      [{ ...valid, apikey: 'typo' }, 'apikey', /option "apikey" is not an option$/],
      // Read and throwing: in the option (a getter, a revoked Proxy) or inside it (a device field's getter).
      [{ ...valid, device: { get os_version(): string { throw new Error('not ready'); } } }, 'device', /option "device" could not be read \(a Proxy or a getter threw\)$/],
      [{ ...valid, device: revoked() }, 'device', /option "device" could not be read/],
      [{ apiKey: 'k', get baseUrl(): string { throw new Error('not ready'); } }, 'baseUrl', /option "baseUrl" could not be read/],
    ];
    for (const [options, option, message] of cases) {
      const error = errorOf(options);
      expect(error, option).toBeInstanceOf(BrazeKitConfigError);
      expect(error).toBeInstanceOf(SessionHubConfigError);
      expect(error.option).toBe(option);
      expect(error.kit).toBe('braze');
      expect(error.message).toMatch(/^SessionHub setup: brazeKit: /);
      expect(error.message).toMatch(message);
    }
  });

  it('leaves the form of a kit name to the hub, which checks it for every kit', () => {
    expect(() => createHub({ kits: [brazeKit({ ...valid, name: 'has space' })] })).toThrow(/kit name "has space" must be 1–64 letters, digits/);
  });
});
