import { SessionHubConfigError } from '@sessionhub/core';
import { deliveryOptionsProblem, type DeliveryOptions } from '@sessionhub/delivery';
import type { CleverTapPropertyValue } from './event-properties';
import { message } from './messages';
import type { CLEVERTAP_SESSION_NEUTRAL_EVENTS } from './session-neutral-events';

/**
 * Outbox settings the kit's users may tune (`@sessionhub/delivery`): `transport`, `timers`, `random`,
 * `flushIntervalMs`, `maxQueueItems`, `maxAgeMs`, `maxAttempts`, `retryBaseMs`, `retryMaxMs`,
 * `requestTimeoutMs`, `maxBatchItems` (default 50, as CleverTap's SDK), `maxBatchBytes`, `keepaliveMaxBytes`.
 */
export type CleverTapDeliveryOptions = DeliveryOptions;

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
  /**
   * Send `Session Concluded` at each session's end, for accounts without CleverTap's Session Analytics
   * (with it on, CleverTap's servers raise their own: leave this off, or sessions conclude twice).
   * Default false.
   */
  readonly sessionConcluded?: boolean;
  /** Prefix of session attributes on `Session Concluded`, so they never clash with CleverTap's keys. Default `sh_`. */
  readonly sessionAttributePrefix?: string;
  /** The kit's name (also its storage namespace). Default `clevertap`. */
  readonly name?: string;
  /** Outbox tuning; see {@link CleverTapDeliveryOptions}. */
  readonly delivery?: CleverTapDeliveryOptions;
}

/** A setup mistake in {@link clevertapKit} options. It is a {@link SessionHubConfigError}. */
export class CleverTapKitConfigError extends SessionHubConfigError {
  constructor(option: string, problem: string) {
    super(option, `clevertapKit: option "${option}" ${problem}`);
  }
}

/**
 * The base URL an endpoint option stands for (no trailing slash), or undefined when it is not an
 * http(s) URL without credentials, query or fragment (then the URL is more than its origin and path).
 */
function endpointUrl(value: unknown): string | undefined {
  // Parsed by hand: React Native's URL (before 0.80) throws "not implemented" from its getters.
  const m = typeof value == 'string' && /^(https?:\/\/[^\s/?#@]+)(\/[^\s?#]*)?$/i.exec(value);
  if (m) return (m[1]!.toLowerCase() + (m[2] ?? '')).replace(/\/+$/, '');
}

/** A code of a text that names no value (an option's rule). */
type RuleCode = 401 | 402 | 403 | 404 | 405 | 406 | 407 | 408 | 409;

const matches = (pattern: RegExp) => (v: unknown) => typeof v == 'string' && pattern.test(v);
/** Letters, digits and dashes: an account id, a region (a host name label; URLs lower-case it). */
const isAccountIdOrRegion = matches(/^[a-z\d-]{1,64}$/i);
const isObject = (v: unknown): v is Record<string, unknown> => Object.prototype.toString.call(v) == '[object Object]';

/** Every option: its test and the code of what it must be (none: checked elsewhere). The first two are required. */
const OPTIONS: readonly [keyof CleverTapKitOptions, ((value: unknown) => unknown)?, RuleCode?][] = [
  ['accountId', isAccountIdOrRegion, 401],
  // Sent as an HTTP header: printable ASCII without spaces. Never shown in a message.
  ['token', matches(/^[\x21-\x7e]{1,256}$/), 402],
  ['region', isAccountIdOrRegion, 403],
  ['endpoint', endpointUrl, 404],
  ['os', matches(/^[\w .-]{1,32}$/), 405],
  [
    'appFields',
    (v) => isObject(v) && Object.values(v).every((f) => typeof f == 'string' || typeof f == 'boolean' || Number.isFinite(f)),
    406,
  ],
  // An array of event names: checked by the hub, as for every kit.
  ['sessionNeutralEvents'],
  ['sessionConcluded', (v) => typeof v == 'boolean', 408],
  // CleverTap removes . : $ ' " \ from keys, and trims them.
  ['sessionAttributePrefix', (v) => matches(/^[^.:$'"\\]{1,40}$/)(v) && (v as string).trim() == v, 407],
  // Its form (1–64 letters, digits, "_", "." or "-") is checked by the hub, as for every kit.
  ['name', matches(/./), 409],
  // Checked below as the outbox will check it.
  ['delivery'],
];

/**
 * Throws {@link CleverTapKitConfigError} naming `option` when `problem` says what is wrong with it, or
 * when reading it throws (a getter or a Proxy that throws, in the option or inside it: an app field).
 */
function check(option: string, problem: () => string | false | undefined): void {
  let wrong;
  try {
    wrong = problem();
  } catch {
    wrong = message(420);
  }
  if (wrong) throw new CleverTapKitConfigError(option, wrong);
}

/**
 * Checks every option; throws {@link CleverTapKitConfigError} naming the first mistake and what to fix.
 * Returns the base URL uploads go to (no trailing slash): `endpoint`, or the `region`'s (default `eu1`).
 */
export function checkCleverTapOptions(options: CleverTapKitOptions): string {
  if (!isObject(options)) throw new CleverTapKitConfigError('options', message(400));
  for (const key of Object.keys(options)) check(key, () => !OPTIONS.some(([option]) => option == key) && message(416));
  OPTIONS.forEach(([option, valid, code], i) =>
    check(option, () => {
      const value = options[option];
      return (value === undefined ? i < 2 : valid && !valid(value)) && message(code!);
    }),
  );
  const { endpoint, region } = options;
  if (endpoint !== undefined && region !== undefined) throw new CleverTapKitConfigError('endpoint', message(417));
  check('delivery', () => {
    // null is refused too: the kit reads the settings when it starts.
    const problem = deliveryOptionsProblem(options.delivery === undefined ? {} : options.delivery);
    return problem && message(418, problem);
  });
  // URLs lower-case their host: a region may be given in capitals.
  return endpointUrl(endpoint ?? `https://${region ?? 'eu1'}.clevertap-prod.com`)!;
}
