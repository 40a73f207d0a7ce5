import { SessionHubConfigError } from '@sessionhub/core';
import type { Transport } from '@sessionhub/delivery';
import { message, type BRAZE_MESSAGES } from './braze-messages';
import { isBrazeName } from './braze-properties';
import { brazeDataUrl } from './braze-request';
import type { BrazePlatform } from './braze-timeouts';
import type { BrazeDevice } from './braze-wire';

/** The Braze Web SDK version whose wire format this kit writes; the default `sdk_version`. */
export const BRAZE_WIRE_SDK_VERSION = '6.13.0';

/** Options of {@link brazeKit}. */
export interface BrazeKitOptions {
  /** The app identifier API key (Braze dashboard: Settings > App Settings). Required. */
  apiKey: string;
  /**
   * The SDK endpoint of your Braze cluster, e.g. `sdk.iad-01.braze.com` or `https://sdk.fra-01.braze.eu`.
   * Required. As in the Braze Web SDK, `https://` is assumed and `/api/v3` is appended when there is no path.
   */
  baseUrl: string;
  /** The kit's name (and storage namespace); set it to run two Braze apps side by side. Default `braze`. */
  name?: string;
  /** `sdk_version` of every request. Default {@link BRAZE_WIRE_SDK_VERSION}, the Web SDK this kit writes like. */
  sdkVersion?: string;
  /** `sdk_flavor` of every request (as wrappers such as mParticle's set it). Default: not sent. */
  sdkFlavor?: string;
  /** `app_version` of every request. Default: not sent. */
  appVersion?: string;
  /**
   * `'custom-event'`: at each session end, the session's attributes go to Braze as one custom event
   * (named {@link BrazeKitOptions.sessionAttributesEventName}) just before the `se`. Default `'off'`:
   * Braze has no session attributes, so they are not sent.
   */
  sessionAttributes?: 'off' | 'custom-event';
  /** Name of that custom event. Default `session_attributes`. */
  sessionAttributesEventName?: string;
  /**
   * The session timeout (s) your own Braze SDK or dashboard uses, if Braze's SDK (or mParticle's Braze
   * kit) also runs in the app. The kit warns when it differs from SessionHub's `sessionTimeout`.
   */
  brazeSessionTimeout?: number;
  /** Which Braze SDK that is, for its default timeout and minimum (web: 1800 s, min 10 s; mobile: 10 s). */
  brazePlatform?: BrazePlatform;
  /**
   * Device fields sent in place of those the kit reads (browsers: as the Web SDK reads them; React
   * Native and Node: `locale` and `time_zone` from `Intl`), e.g. `{ os_version: 'iOS 18.1' }` from
   * React Native's `Platform`. Default: none.
   */
  device?: BrazeDevice;
  /** How long an event may wait before a request goes out, ms. Default 10 000, as the Braze Web SDK. */
  flushIntervalMs?: number;
  /** HTTP transport (tests, custom networking). Default: fetch. */
  transport?: Transport;
}

/** A mistake in {@link brazeKit}'s options; `option` names it and the message says what to fix. */
export class BrazeKitConfigError extends SessionHubConfigError {
  /** Which kit refused its options. */
  readonly kit = 'braze';

  constructor(option: string, problem: string) {
    super(option, `brazeKit: option "${option}" ${problem}`);
  }
}

/** A code of a text that names no value (an option's rule). */
type BrazeMessageCode = { [K in keyof typeof BRAZE_MESSAGES]: Parameters<(typeof BRAZE_MESSAGES)[K]> extends [] ? K : never }[keyof typeof BRAZE_MESSAGES];

const text = (v: unknown): boolean => typeof v == 'string' && v.trim() != '';
const number = (min: number) => (v: unknown) => typeof v == 'number' && v >= min && v < Infinity;
const oneOf = (...values: unknown[]) => (v: unknown) => values.includes(v);

/** Every option: its test and the code of what it must be (see braze-messages.ts), or the text. The first two are required. */
const OPTIONS: readonly [keyof BrazeKitOptions, (value: unknown) => boolean, BrazeMessageCode | string][] = [
  ['apiKey', text, 301],
  ['baseUrl', (v) => typeof v == 'string' && brazeDataUrl(v) !== null, 302],
  // Its form (1–64 letters, digits, "_", "." or "-") is checked by the hub, as for every kit.
  ['name', text, 305],
  ['sdkVersion', text, 306],
  ['sdkFlavor', text, 306],
  ['appVersion', text, 306],
  ['sessionAttributes', oneOf('off', 'custom-event'), 307],
  ['sessionAttributesEventName', (v) => typeof v == 'string' && isBrazeName(v), 303],
  ['brazeSessionTimeout', number(1), 308],
  ['brazePlatform', oneOf('web', 'mobile'), 309],
  // A plain object (an array or a Map would be sent as `{"0":…}` or `{}`).
  ['device', (v) => Object.prototype.toString.call(v) == '[object Object]' && Object.values(v as object).every((f) => typeof f == 'string'), 304],
  ['flushIntervalMs', number(0), 316],
  // Not a code: eventemitter3 ships this very text, so it is in every bundle anyway.
  ['transport', (v) => typeof v == 'function', 'must be a function'],
];

/** Checks every option; throws {@link BrazeKitConfigError} naming the first mistake and what to fix. */
export function checkBrazeKitOptions(options: BrazeKitOptions): void {
  if (typeof options != 'object' || !options) throw new BrazeKitConfigError('options', message(300));
  for (const key of Object.keys(options)) {
    if (!OPTIONS.some(([option]) => option == key)) throw new BrazeKitConfigError(key, message(317));
  }
  OPTIONS.forEach(([option, valid, code], i) => {
    let problem: string | undefined;
    try {
      const value: unknown = options[option];
      if (value === undefined ? i < 2 : !valid(value)) problem = typeof code == 'string' ? code : message(code);
    } catch {
      // A getter or a Proxy that throws, in the option or inside it (a device field): named all the same.
      problem = message(318);
    }
    if (problem) throw new BrazeKitConfigError(option, problem);
  });
}
