import type { EventRecord } from '@sessionhub/core';
import type { OutboxOptions } from '@sessionhub/delivery';
import { SnowplowKitConfigError } from './config-error';
import { deliveryOptionsProblem } from '@sessionhub/delivery';
import { isIgluUri, selfDescribingJson, type SelfDescribingJson } from './iglu';
import { message, type RuleCode } from './messages';

/** Snowplow platform codes (`p`), as the collector's enrichment accepts them. */
export const SNOWPLOW_PLATFORMS = ['mob', 'web', 'srv', 'app', 'pc', 'tv', 'cnsl', 'iot'] as const;
/** The tracker protocol's platform (`p`): one of `SNOWPLOW_PLATFORMS`. */
export type SnowplowPlatform = (typeof SNOWPLOW_PLATFORMS)[number];

/** `client_session.storageMechanism` values allowed by the 1-0-2 schema. */
export const STORAGE_MECHANISMS = ['LOCAL_STORAGE', 'SQLITE', 'COOKIE_1', 'COOKIE_3', 'FLASH_LSO'] as const;
/** Where the `client_session` entity says the session is stored: one of `STORAGE_MECHANISMS`. */
export type StorageMechanism = (typeof STORAGE_MECHANISMS)[number];

/** How one hub event name is sent. */
export interface SnowplowEventMapping {
  /** The Iglu schema of the self-describing event; its `data` is the event's attributes as they are. */
  readonly schema?: string;
  /** Entities attached to every event of this name (after `client_session` and the global entities). */
  readonly entities?: readonly SelfDescribingJson[];
}

/** Per-event entities computed at track time, like the Snowplow trackers' context generators. */
export type SnowplowEntitiesFor = (event: EventRecord) => readonly SelfDescribingJson[] | null | undefined;

/** Delivery tuning passed to the kit's outbox (`@sessionhub/delivery`); defaults fit Snowplow's collector. */
export type SnowplowDeliveryOptions = Partial<
  Pick<
    OutboxOptions<unknown>,
    | 'transport'
    | 'maxBatchItems'
    | 'maxBatchBytes'
    | 'flushIntervalMs'
    | 'maxAgeMs'
    | 'maxAttempts'
    | 'maxQueueItems'
    | 'retryBaseMs'
    | 'retryMaxMs'
    | 'requestTimeoutMs'
    | 'keepaliveMaxBytes'
    | 'random'
    | 'timers'
  >
>;

/** Options of {@link snowplowKit}. */
export interface SnowplowKitOptions {
  /** The collector, e.g. `https://collector.example.com`; events go to `{collectorUrl}/com.snowplowanalytics.snowplow/tp2`. */
  readonly collectorUrl: string;
  /** `aid`: the application id (the mobile trackers' `appId`). */
  readonly appId: string;
  /** `tna`: the tracker namespace. Default `sessionhub`. */
  readonly namespace?: string;
  /**
   * `p`: the platform. Default `web` in a web page (as the browser tracker; with it the kit sends the
   * browser tracker's `duid`, `sid`, `vid`, `url`, `refr`, … fields), else `mob` (as the mobile trackers).
   */
  readonly platform?: SnowplowPlatform;
  /**
   * Contexts and self-describing events as base64url (`cx`, `ue_px`) instead of plain JSON (`co`, `ue_pr`).
   * Default true, as the mobile trackers; false on `web`, as the browser tracker sends POSTs.
   */
  readonly encodeBase64?: boolean;
  /** `client_session.storageMechanism`. Default `LOCAL_STORAGE`, as the mobile trackers. */
  readonly storageMechanism?: StorageMechanism;
  /** Event name → Iglu schema URI (or a mapping with entities). Unmapped names go as structured events or `catchAllSchema`. */
  readonly events?: Readonly<Record<string, string | SnowplowEventMapping>>;
  /**
   * Send unmapped events as self-describing events of this schema, with data `{ name, attributes }`,
   * instead of structured events. Default: none (structured events).
   */
  readonly catchAllSchema?: string;
  /** `se_ca` of structured events whose attributes carry no `category`. Default `sessionhub`. */
  readonly structuredEventCategory?: string;
  /** Entities attached to every event the kit sends (after `client_session`). */
  readonly globalEntities?: readonly SelfDescribingJson[];
  /** Entities computed per hub event (e.g. from its attributes); appended last. May not throw (a throw is reported; the event still goes). */
  readonly entitiesFor?: SnowplowEntitiesFor;
  /**
   * Send `application_foreground` / `application_background` events. Default true, as the mobile
   * trackers' lifecycle autotracking; false on `web`, where the browser tracker sends none.
   */
  readonly lifecycleEvents?: boolean;
  /**
   * Session start and end events, so Snowplow sees every session, also one without any other event.
   * Default: both, as structured events (`se_ca` `sessionhub`, `se_ac` `session_start` /
   * `session_end`), which need no schema. An Iglu URI sends that one as a self-describing event of
   * your schema (data: see the docs); `false` sends none. `sessionEvents: false`: neither.
   */
  readonly sessionEvents?:
    | false
    | {
        /** Iglu URI of the session start event (data: sessionId, sessionIndex, previousSessionId, trigger, startTime), or false. */
        readonly start?: string | false;
        /** Iglu URI of the session end event (data: sessionId, …, duration, reason, attributes), or false. */
        readonly end?: string | false;
      };
  /** The kit's name in the hub (and its storage namespace). Default `snowplow`; set it to run two Snowplow kits. */
  readonly name?: string;
  /** Outbox tuning and transport. */
  readonly delivery?: SnowplowDeliveryOptions;
}

/** One event name's resolved mapping. */
export interface ResolvedEventMapping {
  /** Iglu URI of the self-describing event, or null: the default (structured or catch-all). */
  readonly schema: string | null;
  /** JSON of the entities for this name, comma-joined ('' for none). */
  readonly entitiesJson: string;
}

/** Options validated and defaulted, with the static JSON serialized once. */
export interface ResolvedSnowplowOptions {
  readonly name: string;
  /** `{collectorUrl}/com.snowplowanalytics.snowplow/tp2` */
  readonly endpoint: string;
  readonly appId: string;
  readonly namespace: string;
  readonly platform: SnowplowPlatform;
  readonly encodeBase64: boolean;
  readonly storageMechanism: StorageMechanism;
  /** Mapped event names (a Map, so names such as `__proto__` are ordinary keys). */
  readonly events: ReadonlyMap<string, ResolvedEventMapping>;
  readonly catchAllSchema: string | null;
  readonly structuredEventCategory: string;
  /** JSON of the global entities, comma-joined ('' for none). */
  readonly globalEntitiesJson: string;
  readonly entitiesFor: SnowplowEntitiesFor | null;
  readonly lifecycleEvents: boolean;
  /** The session events: an Iglu URI (self-describing), null (structured, the default) or false (none). */
  readonly sessionEvents: { readonly start: string | null | false; readonly end: string | null | false };
  /** Only the delivery options given. */
  readonly delivery: SnowplowDeliveryOptions;
}

/** Where the collector takes POSTed tracker-protocol events. */
export const TP2_PATH = '/com.snowplowanalytics.snowplow/tp2';

/**
 * How an option is checked: the test its value must pass, what it must be (the code of the message,
 * or the values it must be one of), and its default when absent (a rule without one is required).
 */
type Rule = [ok: (v: any) => unknown, what: RuleCode | string, fallback?: unknown];

const isObject = (v: unknown): v is Record<string, any> => Object.prototype.toString.call(v) == '[object Object]';
const isFunction = (v: unknown): boolean => typeof v == 'function';
const TEXT = 502;
const isText = (v: unknown): boolean => typeof v == 'string' && v.trim() != '' && v.length < 256;
const IGLU: Rule = [isIgluUri, 506, null];
const isBoolean = (v: unknown): boolean => typeof v == 'boolean';
const ENTITIES: Rule = [Array.isArray, 507, []];
/** The default is the first value unless given. */
const oneOf = (values: readonly string[], fallback: unknown = values[0]): Rule => [(v) => values.includes(v), values.join(', '), fallback];

const OPTIONS: Record<string, Rule> = {
  collectorUrl: [(v) => typeof v == 'string' && /^https?:\/\/[^\s/?#@]+(\/[^\s?#]*)?$/i.test(v.trim()), 501],
  appId: [isText, TEXT],
  // enrich caps name_tracker at 128 characters and fails every event over it.
  namespace: [(v) => isText(v) && v.length < 129, 503, 'sessionhub'],
  // These three default by platform, below.
  platform: oneOf(SNOWPLOW_PLATFORMS, null),
  encodeBase64: [isBoolean, 504, null],
  storageMechanism: oneOf(STORAGE_MECHANISMS),
  events: [isObject, 505, {}],
  catchAllSchema: IGLU,
  structuredEventCategory: [isText, TEXT, 'sessionhub'],
  globalEntities: ENTITIES,
  entitiesFor: [isFunction, 508, null],
  lifecycleEvents: [isBoolean, 504, null],
  sessionEvents: [(v) => v === false || isObject(v), 509, {}],
  // Its form (1–64 letters, digits, "_", "." or "-") is checked by the hub, as for every kit.
  name: [isText, 510, 'snowplow'],
  // Its settings are checked by the outbox's own rules (deliveryOptions below).
  delivery: [isObject, 511, {}],
};
const SESSION_EVENT: Rule = [(v) => v === false || isIgluUri(v), 512, null];
const SESSION_EVENTS: Record<string, Rule> = { start: SESSION_EVENT, end: SESSION_EVENT };
/** An `events` value: an Iglu URI, short for `{ schema }`, or the mapping. */
const EVENT: Rule = [(v) => isIgluUri(v) || isObject(v), 513];
const EVENT_MAPPING: Record<string, Rule> = { schema: IGLU, entities: ENTITIES };

/**
 * A value in a message: short strings quoted, longer ones by their length (as the hub describes
 * values: a message never carries a huge string), objects by kind.
 */
const show = (v: unknown): string => {
  if (typeof v == 'string') return v.length > 64 ? `a string of ${v.length} characters` : JSON.stringify(v);
  // (A revoked Proxy throws here: its option "could not be read", see reading.)
  return Array.isArray(v) ? 'an array' : v && typeof v == 'object' ? 'an object' : isFunction(v) ? 'a function' : String(v);
};

function fail(option: string, message: string): never {
  throw new SnowplowKitConfigError(option, `option "${option}" ${message}`);
}

/** `check()`'s result; when reading the option threw (a getter, a Proxy), a mistake naming `option`. */
function reading<T>(option: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof SnowplowKitConfigError) throw error;
    return fail(option, message(519));
  }
}

/** `v` when it passes `rule`, the rule's default when absent; else throws. */
const valid = (v: unknown, rule: Rule, option: string): any =>
  v === undefined && 2 in rule ? rule[2] : rule[0](v) ? v : fail(option, typeof rule[1] == 'number' ? message(rule[1], show(v)) : message(517, rule[1], show(v)));

/** Each option of `o` checked against `rules` (unknown keys refused), defaults applied; absent ones without a default left out. */
function resolve(o: Record<string, unknown>, rules: Record<string, Rule>, path: string): any {
  const out: Record<string, unknown> = {};
  // (Only own rules are arrays: `__proto__` or `constructor` are unknown options like any other.)
  for (const key in o) if (!Array.isArray(rules[key])) fail(path + key, message(514, Object.keys(rules).join(', ')));
  for (const key in rules) out[key] = reading(path + key, () => valid(o[key], rules[key]!, path + key));
  return out;
}

/** A list of self-describing JSONs serialized once, comma-joined. */
const entitiesJson = (list: unknown[], option: string): string =>
  list.map((entity, i) => selfDescribingJson(entity, (message) => fail(`${option}[${i}]`, message))).join();

/** The delivery settings given (an undefined one is not given), checked as the outbox will check them. */
function deliveryOptions(given: Record<string, unknown>): SnowplowDeliveryOptions {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(given)) {
    const value = reading('delivery.' + key, () => given[key]);
    const problem = deliveryOptionsProblem({ [key]: value });
    if (problem) fail('delivery.' + key, message(518, problem, show(value)));
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * Checks every option and applies the defaults; throws {@link SnowplowKitConfigError} on a mistake.
 * `inPage`: the kit runs in a web page, where the platform defaults to `web`. On `web`, events go
 * as the browser tracker sends them: plain JSON, no lifecycle events; elsewhere as the mobile
 * trackers: base64, with lifecycle events.
 */
export function resolveSnowplowOptions(options: SnowplowKitOptions, inPage = false): ResolvedSnowplowOptions {
  // Each option's reads name it when they throw (a getter, a Proxy); what no option names, "options".
  return reading('options', () => {
    const o = resolve(valid(options, [isObject, 500], 'options'), OPTIONS, '');
    const mobile = (o.platform ??= inPage ? 'web' : 'mob') != 'web';
    o.encodeBase64 ??= mobile;
    o.lifecycleEvents ??= mobile;
    const events = new Map<string, ResolvedEventMapping>();
    for (const name of Object.keys(o.events)) {
      const option = 'events.' + name;
      reading(option, () => {
        const mapping = valid(o.events[name], EVENT, option);
        const { schema, entities } = resolve(typeof mapping == 'string' ? { schema: mapping } : mapping, EVENT_MAPPING, option + '.');
        events.set(name, { schema, entitiesJson: entitiesJson(entities, option + '.entities') });
      });
    }
    const url = (o.collectorUrl as string).trim().replace(/\/+$/, '');
    return {
      ...o,
      endpoint: url.endsWith(TP2_PATH) ? url : url + TP2_PATH,
      events,
      globalEntitiesJson: reading('globalEntities', () => entitiesJson(o.globalEntities, 'globalEntities')),
      sessionEvents: o.sessionEvents ? resolve(o.sessionEvents, SESSION_EVENTS, 'sessionEvents.') : { start: false, end: false },
      delivery: deliveryOptions(o.delivery),
    };
  });
}
