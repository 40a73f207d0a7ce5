/**
 * The Braze SDK data API as the Braze Web SDK 6.13.0 writes it (`models/braze-event.js`,
 * `network-manager.js`; see docs/kits/braze.md). Field names are
 * Braze's, so they are snake_case.
 */

/** A custom event property value as sent: Dates travel as ISO 8601 strings; nested values as JSON. */
export type BrazePropertyValue = string | number | boolean | null | readonly BrazePropertyValue[] | { readonly [key: string]: BrazePropertyValue };

/** Custom event properties (`p` of a `ce`). */
export type BrazeProperties = Readonly<Record<string, BrazePropertyValue>>;

/**
 * One event object of `events[]`: `{ name, time, data, session_id, user_id? }`, with `time` in
 * seconds since the epoch (a float, millisecond precision).
 */
export interface BrazeEvent<Name extends string = string, Data = unknown> {
  readonly name: Name;
  readonly time: number;
  readonly data: Data;
  /** The canonical session id; absent for a session-neutral event logged while no session is live. */
  readonly session_id?: string;
  /** The hub's user id (Braze external id), absent while anonymous. */
  readonly user_id?: string;
}

/** `ss`: session start, `data: {}`. */
export type BrazeSessionStartEvent = BrazeEvent<'ss', Readonly<Record<string, never>>>;

/** `se`: session end, `data.d` = the session's length in seconds (float). */
export type BrazeSessionEndEvent = BrazeEvent<'se', { readonly d: number }>;

/** `ce`: custom event, `data.n` = name, `data.p` = properties. */
export type BrazeCustomEvent = BrazeEvent<'ce', { readonly n: string; readonly p: BrazeProperties }>;

/** The events this kit sends. */
export type BrazeSdkEvent = BrazeSessionStartEvent | BrazeSessionEndEvent | BrazeCustomEvent;

/**
 * The device fields the Web SDK sends (`models/device.js`): on the first request, and again after each
 * user change. Each is left out when unknown.
 */
export interface BrazeDevice {
  readonly browser?: string;
  readonly browser_version?: string;
  readonly os_version?: string;
  /** `navigator.language`, lowercased (`en-us`). */
  readonly locale?: string;
  /** The IANA time zone (`Europe/Berlin`). */
  readonly time_zone?: string;
  readonly user_agent?: string;
}

/** The JSON body of `POST {baseUrl}/data/`, in the Web SDK's field order. */
export interface BrazeRequestBody {
  /** What Braze should answer with: the server config newer than `config_time`, for `user_id`. */
  readonly respond_with: { readonly user_id?: string; readonly config: { readonly config_time: number } };
  readonly device?: BrazeDevice;
  readonly api_key: string;
  /** Whole seconds at send time (floored). */
  readonly time: number;
  /** `["npm"]` on a request that starts a session, as the Web SDK installed from npm. */
  readonly sdk_metadata?: readonly string[];
  readonly sdk_version: string;
  readonly sdk_flavor?: string;
  readonly app_version?: string;
  readonly device_id: string;
  readonly events: readonly BrazeSdkEvent[];
}
