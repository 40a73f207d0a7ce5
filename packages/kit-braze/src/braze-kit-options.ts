import { SessionHubConfigError } from '@sessionhub/core';
import type { Transport } from '@sessionhub/delivery';
import { brazeEventNameProblem } from './braze-properties';
import { brazeDataUrl } from './braze-request';
import type { BrazePlatform } from './braze-timeouts';

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
  /** How long an event may wait before a request goes out, ms. Default 10 000, as the Braze Web SDK. */
  flushIntervalMs?: number;
  /** HTTP transport (tests, custom networking). Default: fetch. */
  transport?: Transport;
}

/** Options after validation, with defaults applied. */
export interface ResolvedBrazeKitOptions {
  readonly name: string;
  readonly apiKey: string;
  readonly url: string;
  readonly sdkVersion: string;
  readonly sdkFlavor?: string;
  readonly appVersion?: string;
  readonly sessionAttributes: 'off' | 'custom-event';
  readonly sessionAttributesEventName: string;
  readonly brazeSessionTimeout?: number;
  readonly brazePlatform?: BrazePlatform;
  readonly flushIntervalMs: number;
  readonly transport?: Transport;
}

/** A mistake in {@link brazeKit}'s options; `option` names it and the message says what to fix. */
export class BrazeKitConfigError extends SessionHubConfigError {
  /** Which kit refused its options. */
  readonly kit = 'braze';

  constructor(option: string, message: string) {
    super(option, `brazeKit: ${message}`);
  }
}

const KNOWN = new Set<string>([
  'apiKey', 'baseUrl', 'name', 'sdkVersion', 'sdkFlavor', 'appVersion', 'sessionAttributes', 'sessionAttributesEventName',
  'brazeSessionTimeout', 'brazePlatform', 'flushIntervalMs', 'transport',
]);

function fail(option: string, problem: string): never {
  throw new BrazeKitConfigError(option, `option "${option}" ${problem}`);
}

const nonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;

/** Checks every option and applies defaults; throws {@link BrazeKitConfigError} on a mistake. */
export function resolveBrazeKitOptions(options: BrazeKitOptions): ResolvedBrazeKitOptions {
  if (typeof options !== 'object' || options === null) {
    throw new BrazeKitConfigError('options', 'brazeKit(options) takes an object with at least { apiKey, baseUrl }');
  }
  const o = options as BrazeKitOptions & Record<string, unknown>;
  for (const key of Object.keys(o)) if (!KNOWN.has(key)) throw new BrazeKitConfigError(key, `unknown option "${key}"`);
  if (!nonEmptyString(o.apiKey)) fail('apiKey', 'is required: your Braze app identifier API key (Settings > App Settings)');
  if (!nonEmptyString(o.baseUrl)) fail('baseUrl', 'is required: your Braze SDK endpoint, e.g. "sdk.iad-01.braze.com"');
  const url = brazeDataUrl(o.baseUrl);
  if (url === null) fail('baseUrl', `must be an http(s) host or URL without query or fragment, e.g. "sdk.iad-01.braze.com" (got "${o.baseUrl}")`);
  if (o.name !== undefined && (typeof o.name !== 'string' || !/^[\w.-]{1,64}$/.test(o.name))) {
    fail('name', 'must be 1–64 letters, digits, "_", "." or "-"');
  }
  for (const key of ['sdkVersion', 'sdkFlavor', 'appVersion'] as const) {
    if (o[key] !== undefined && !nonEmptyString(o[key])) fail(key, 'must be a non-empty string when given');
  }
  if (o.sessionAttributes !== undefined && o.sessionAttributes !== 'off' && o.sessionAttributes !== 'custom-event') {
    fail('sessionAttributes', `must be 'off' or 'custom-event' (got ${JSON.stringify(o.sessionAttributes) ?? String(o.sessionAttributes)})`);
  }
  const eventName = o.sessionAttributesEventName ?? 'session_attributes';
  if (typeof eventName !== 'string') fail('sessionAttributesEventName', 'must be a string');
  const nameProblem = brazeEventNameProblem(eventName);
  if (nameProblem !== null) fail('sessionAttributesEventName', `is a Braze custom event name: ${nameProblem}`);
  if (o.brazeSessionTimeout !== undefined && !(typeof o.brazeSessionTimeout === 'number' && Number.isFinite(o.brazeSessionTimeout) && o.brazeSessionTimeout >= 1)) {
    fail('brazeSessionTimeout', `must be a finite number of seconds ≥ 1 (Braze's minimum) (got ${String(o.brazeSessionTimeout)})`);
  }
  if (o.brazePlatform !== undefined && o.brazePlatform !== 'web' && o.brazePlatform !== 'mobile') {
    fail('brazePlatform', `must be 'web' or 'mobile' (got ${String(o.brazePlatform)})`);
  }
  if (o.flushIntervalMs !== undefined && !(typeof o.flushIntervalMs === 'number' && Number.isFinite(o.flushIntervalMs) && o.flushIntervalMs >= 0)) {
    fail('flushIntervalMs', `must be a finite number of milliseconds ≥ 0 (got ${String(o.flushIntervalMs)})`);
  }
  if (o.transport !== undefined && typeof o.transport !== 'function') fail('transport', 'must be a function (request, options) => Promise<response>');
  return {
    name: o.name ?? 'braze',
    apiKey: o.apiKey.trim(),
    url: url as string,
    sdkVersion: o.sdkVersion ?? BRAZE_WIRE_SDK_VERSION,
    ...(o.sdkFlavor !== undefined ? { sdkFlavor: o.sdkFlavor } : {}),
    ...(o.appVersion !== undefined ? { appVersion: o.appVersion } : {}),
    sessionAttributes: o.sessionAttributes ?? 'off',
    sessionAttributesEventName: eventName,
    ...(o.brazeSessionTimeout !== undefined ? { brazeSessionTimeout: o.brazeSessionTimeout } : {}),
    ...(o.brazePlatform !== undefined ? { brazePlatform: o.brazePlatform } : {}),
    flushIntervalMs: o.flushIntervalMs ?? 10_000,
    ...(o.transport !== undefined ? { transport: o.transport } : {}),
  };
}
