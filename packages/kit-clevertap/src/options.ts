import { SessionHubConfigError } from '@sessionhub/core';
import type { Timers, Transport } from '@sessionhub/delivery';
import type { CleverTapPropertyValue } from './event-properties';
import { CLEVERTAP_SESSION_NEUTRAL_EVENTS } from './session-neutral-events';

/** Delivery tuning passed to the kit's outbox (`@sessionhub/delivery`); the defaults fit CleverTap. */
export interface CleverTapDeliveryOptions {
  /** Default: fetch. */
  readonly transport?: Transport;
  /** Default: the global timers. */
  readonly timers?: Timers;
  /** Default: `Math.random` (retry jitter). */
  readonly random?: () => number;
  /** How long an item waits for company before it is sent, ms. Default 10 000. */
  readonly flushIntervalMs?: number;
  /** Items kept at most (oldest dropped first). Default 1000. */
  readonly maxQueueItems?: number;
  /** An item older than this is dropped, ms. Default 24 h. */
  readonly maxAgeMs?: number;
  /** Attempts before an item is dropped. Default: no limit. */
  readonly maxAttempts?: number;
  /** First retry delay bound, ms. Default 1000. */
  readonly retryBaseMs?: number;
  /** Largest retry delay bound, ms. Default 300 000. */
  readonly retryMaxMs?: number;
  /** A request without an answer after this long is aborted and retried, ms. Default 30 000. */
  readonly requestTimeoutMs?: number;
}

/** Options of {@link clevertapKit}. */
export interface CleverTapKitOptions {
  /** CleverTap Account ID (Settings → Project), e.g. `"W9R-486-4W5Z"`. Required. */
  readonly accountId: string;
  /** CleverTap Account Token (Settings → Project). Required. */
  readonly token: string;
  /**
   * The account's region, as in CleverTap's SDK config (`eu1`, `in1`, `us1`, `sg1`, `aps3`, `mec1`, …):
   * uploads go to `https://<region>.clevertap-prod.com`. Default `eu1` (CleverTap's default). Not with `endpoint`.
   */
  readonly region?: string;
  /** A full base URL instead of `region` (a proxy or a test collector), e.g. `https://eu1.clevertap-prod.com`. */
  readonly endpoint?: string;
  /** The `os` query parameter and header `af.OS` (`Android`, `iOS`, `Web`, …). Default `Web`. */
  readonly os?: string;
  /** Extra fields of the upload header's `af` ("App Launched" fields such as `Version`, `Build`, `Make`, `Model`). */
  readonly appFields?: Readonly<Record<string, CleverTapPropertyValue>>;
  /**
   * Event names the kit declares session-neutral to the hub (they neither start nor extend a session).
   * Default {@link CLEVERTAP_SESSION_NEUTRAL_EVENTS}; `[]` opts out, a shorter list opts out of some.
   */
  readonly sessionNeutralEvents?: readonly string[];
  /** Prefix of session attributes on `Session Concluded`, so they never clash with CleverTap's keys. Default `sh_`. */
  readonly sessionAttributePrefix?: string;
  /** The kit's name (also its storage namespace). Default `clevertap`. */
  readonly name?: string;
  /** Outbox tuning; see {@link CleverTapDeliveryOptions}. */
  readonly delivery?: CleverTapDeliveryOptions;
}

/** Options after validation and defaults. */
export interface ResolvedCleverTapOptions {
  readonly name: string;
  readonly accountId: string;
  readonly token: string;
  /** Base URL without a trailing slash. */
  readonly endpoint: string;
  readonly os: string;
  readonly appFields: Readonly<Record<string, CleverTapPropertyValue>>;
  readonly sessionNeutralEvents: readonly string[];
  readonly sessionAttributePrefix: string;
  readonly delivery: CleverTapDeliveryOptions;
}

/** A setup mistake in {@link clevertapKit} options. It is a {@link SessionHubConfigError}. */
export class CleverTapKitConfigError extends SessionHubConfigError {
  constructor(option: string, problem: string) {
    super(option, `clevertapKit: option "${option}" ${problem}`);
  }
}

export const DEFAULT_REGION = 'eu1';
export const DEFAULT_OS = 'Web';
export const DEFAULT_ATTRIBUTE_PREFIX = 'sh_';
export const DEFAULT_KIT_NAME = 'clevertap';

const KNOWN = new Set([
  'accountId', 'token', 'region', 'endpoint', 'os', 'appFields', 'sessionNeutralEvents', 'sessionAttributePrefix', 'name', 'delivery',
]);
/** Numeric delivery options and their smallest valid values (as the outbox checks them). */
const DELIVERY_NUMBERS = [
  ['flushIntervalMs', 0], ['maxQueueItems', 1], ['maxAgeMs', 1], ['maxAttempts', 1], ['retryBaseMs', 0], ['retryMaxMs', 0], ['requestTimeoutMs', 1],
] as const;
const KNOWN_DELIVERY = new Set<string>(['transport', 'timers', 'random', ...DELIVERY_NUMBERS.map(([n]) => n)]);

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.prototype.toString.call(v) === '[object Object]';
const shown = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/** Checks every option and applies the defaults; throws {@link CleverTapKitConfigError} on a mistake. */
export function resolveCleverTapOptions(options: CleverTapKitOptions): ResolvedCleverTapOptions {
  if (!isPlainObject(options)) {
    throw new CleverTapKitConfigError('options', 'must be an object such as { accountId, token, region }');
  }
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KNOWN.has(key)) throw new CleverTapKitConfigError(key, `is not an option (known: ${[...KNOWN].join(', ')})`);
  }
  const fail = (option: string, problem: string): never => {
    throw new CleverTapKitConfigError(option, problem);
  };

  if (typeof o.accountId !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(o.accountId)) {
    fail('accountId', `must be your CleverTap Account ID (letters, digits and "-", e.g. "W9R-486-4W5Z"), got ${shown(o.accountId)}`);
  }
  // Sent as an HTTP header: printable ASCII without spaces.
  if (typeof o.token !== 'string' || !/^[\x21-\x7e]{1,256}$/.test(o.token)) {
    fail('token', 'must be your CleverTap Account Token (printable characters, no spaces)');
  }

  let endpoint: string;
  if (o.endpoint !== undefined) {
    if (o.region !== undefined) fail('endpoint', 'and "region" both choose where uploads go; give one of them');
    endpoint = checkEndpoint(o.endpoint, fail);
  } else {
    const region = o.region ?? DEFAULT_REGION;
    if (typeof region !== 'string' || !/^[a-z0-9-]{1,32}$/i.test(region)) {
      fail('region', `must be a CleverTap region such as "eu1", "in1", "us1", "sg1", "aps3" or "mec1", got ${shown(region)}`);
    }
    endpoint = `https://${(region as string).toLowerCase()}.clevertap-prod.com`;
  }

  const os = o.os ?? DEFAULT_OS;
  if (typeof os !== 'string' || !/^[A-Za-z0-9 ._-]{1,32}$/.test(os)) {
    fail('os', `must be a platform name such as "Android", "iOS" or "Web", got ${shown(os)}`);
  }

  const appFields = o.appFields ?? {};
  if (!isPlainObject(appFields)) fail('appFields', 'must be an object of string, number or boolean values');
  for (const [key, value] of Object.entries(appFields as Record<string, unknown>)) {
    const ok = typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
    if (!ok) fail('appFields', `value of "${key}" must be a string, a finite number or a boolean, got ${shown(value)}`);
  }

  const neutral = o.sessionNeutralEvents ?? CLEVERTAP_SESSION_NEUTRAL_EVENTS;
  if (!Array.isArray(neutral) || !neutral.every((n) => typeof n === 'string' && n.length > 0)) {
    fail('sessionNeutralEvents', 'must be an array of event names ([] to count every event toward sessions)');
  }

  const prefix = o.sessionAttributePrefix ?? DEFAULT_ATTRIBUTE_PREFIX;
  if (typeof prefix !== 'string' || prefix.trim() !== prefix || !/^[^.:$'"\\]{1,40}$/.test(prefix)) {
    fail(
      'sessionAttributePrefix',
      `must be 1–40 characters without surrounding spaces and without . : $ ' " \\ (CleverTap removes those from keys), got ${shown(prefix)}`,
    );
  }

  const name = o.name ?? DEFAULT_KIT_NAME;
  if (typeof name !== 'string' || !/^[\w.-]{1,64}$/.test(name)) fail('name', `must be 1–64 letters, digits, "_", "." or "-", got ${shown(name)}`);

  const delivery = o.delivery ?? {};
  if (!isPlainObject(delivery)) fail('delivery', 'must be an object');
  const d = delivery as Record<string, unknown>;
  for (const key of Object.keys(d)) {
    if (!KNOWN_DELIVERY.has(key)) fail('delivery', `has an unknown field "${key}" (known: ${[...KNOWN_DELIVERY].join(', ')})`);
  }
  if (d.transport !== undefined && typeof d.transport !== 'function') fail('delivery', '.transport must be a function (request) => Promise<response>');
  if (d.random !== undefined && typeof d.random !== 'function') fail('delivery', '.random must be a function returning [0, 1)');
  if (d.timers !== undefined && !(isPlainObject(d.timers) && typeof d.timers.setTimeout === 'function' && typeof d.timers.clearTimeout === 'function')) {
    fail('delivery', '.timers must have setTimeout and clearTimeout');
  }
  for (const [key, min] of DELIVERY_NUMBERS) {
    const v = d[key];
    if (v !== undefined && !(typeof v === 'number' && v >= min)) fail('delivery', `.${key} must be a number ≥ ${min}, got ${shown(v)}`);
  }

  return {
    name: name as string,
    accountId: o.accountId as string,
    token: o.token as string,
    endpoint,
    os: os as string,
    appFields: { ...(appFields as Record<string, CleverTapPropertyValue>) },
    sessionNeutralEvents: Object.freeze([...(neutral as string[])]),
    sessionAttributePrefix: prefix as string,
    delivery: { ...(delivery as CleverTapDeliveryOptions) },
  };
}

function checkEndpoint(value: unknown, fail: (option: string, problem: string) => never): string {
  let url: URL | null = null;
  if (typeof value === 'string') {
    try {
      url = new URL(value);
    } catch {
      url = null;
    }
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.search !== '' || url.hash !== '' || url.username || url.password) {
    return fail('endpoint', `must be an http(s) base URL without query or fragment, e.g. "https://eu1.clevertap-prod.com", got ${shown(value)}`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
