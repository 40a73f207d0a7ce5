import type { EventRecord } from '@sessionhub/core';
import type { OutboxOptions } from '@sessionhub/delivery';
import { SnowplowKitConfigError } from './config-error';
import { isIgluUri, selfDescribingJsonProblem, type SelfDescribingJson } from './iglu';

/** Snowplow platform codes (`p`), as the collector's enrichment accepts them. */
export const SNOWPLOW_PLATFORMS = ['mob', 'web', 'srv', 'app', 'pc', 'tv', 'cnsl', 'iot'] as const;
export type SnowplowPlatform = (typeof SNOWPLOW_PLATFORMS)[number];

/** `client_session.storageMechanism` values allowed by the 1-0-2 schema. */
export const STORAGE_MECHANISMS = ['LOCAL_STORAGE', 'SQLITE', 'COOKIE_1', 'COOKIE_3', 'FLASH_LSO'] as const;
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
  /** `p`: the platform. Default `mob`, as the mobile trackers. */
  readonly platform?: SnowplowPlatform;
  /** Contexts and self-describing events as base64url (`cx`, `ue_px`) instead of plain JSON (`co`, `ue_pr`). Default true, as the mobile trackers. */
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
  /** Send `application_foreground` / `application_background` events. Default true, as the mobile trackers' lifecycle autotracking. */
  readonly lifecycleEvents?: boolean;
  /** Optional self-describing events for session start and end (Snowplow has none natively). Default: none. */
  readonly sessionEvents?: {
    /** Iglu URI of the session start event; data: see the docs (sessionId, sessionIndex, previousSessionId, trigger, startTime). */
    readonly start?: string;
    /** Iglu URI of the session end event; data: see the docs (sessionId, …, duration, reason, attributes). */
    readonly end?: string;
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
  readonly sessionStartSchema: string | null;
  readonly sessionEndSchema: string | null;
  readonly delivery: SnowplowDeliveryOptions;
}

/** Where the collector takes POSTed tracker-protocol events. */
export const TP2_PATH = '/com.snowplowanalytics.snowplow/tp2';

const KNOWN = new Set([
  'collectorUrl', 'appId', 'namespace', 'platform', 'encodeBase64', 'storageMechanism', 'events', 'catchAllSchema',
  'structuredEventCategory', 'globalEntities', 'entitiesFor', 'lifecycleEvents', 'sessionEvents', 'name', 'delivery',
]);
/** Numeric delivery options and their smallest valid value (as the outbox checks them, but at setup time). */
const DELIVERY_NUMBERS: Readonly<Record<string, number>> = {
  maxBatchItems: 1, maxBatchBytes: 1, flushIntervalMs: 0, maxAgeMs: 1, maxAttempts: 1, maxQueueItems: 1, retryBaseMs: 0, retryMaxMs: 0,
  requestTimeoutMs: 1, keepaliveMaxBytes: 0,
};
const DELIVERY_FUNCTIONS = ['transport', 'random'] as const;
const HTTP_URL = /^https?:\/\/[^\s/?#@]+(?:\/[^\s?#]*)?$/i;
const MAX_TEXT = 255;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.prototype.toString.call(v) === '[object Object]';

const show = (v: unknown): string => {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return 'an array';
  if (v === null || typeof v !== 'object') return String(v);
  return 'an object';
};

function fail(option: string, message: string): never {
  throw new SnowplowKitConfigError(option, `option "${option}" ${message}`);
}

function text(o: Record<string, unknown>, key: string, fallback: string | undefined): string {
  const v = o[key];
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'string' || v.trim().length === 0 || v.length > MAX_TEXT) {
    fail(key, `must be a non-empty string (≤ ${MAX_TEXT} characters), got ${show(v)}`);
  }
  return v;
}

function oneOf<T extends string>(o: Record<string, unknown>, key: string, allowed: readonly T[], fallback: T): T {
  const v = o[key];
  if (v === undefined) return fallback;
  if (!allowed.includes(v as T)) fail(key, `must be one of ${allowed.join(', ')}, got ${show(v)}`);
  return v as T;
}

function flag(o: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const v = o[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') fail(key, `must be true or false, got ${show(v)}`);
  return v;
}

function igluUri(v: unknown, option: string): string {
  if (!isIgluUri(v)) fail(option, `must be an Iglu schema URI like "iglu:com.acme/my_event/jsonschema/1-0-0", got ${show(v)}`);
  return v;
}

/** Serializes a list of self-describing JSONs once, comma-joined. */
function entitiesJson(v: unknown, option: string): string {
  if (v === undefined) return '';
  if (!Array.isArray(v)) fail(option, `must be an array of { schema, data } entities, got ${show(v)}`);
  const parts: string[] = [];
  v.forEach((entity, i) => {
    const out = { json: '' };
    const problem = selfDescribingJsonProblem(entity, out);
    if (problem) fail(`${option}[${i}]`, problem);
    parts.push(out.json);
  });
  return parts.join(',');
}

function eventMappings(v: unknown): Map<string, ResolvedEventMapping> {
  const map = new Map<string, ResolvedEventMapping>();
  if (v === undefined) return map;
  if (!isPlainObject(v)) fail('events', `must be an object mapping event names to Iglu schema URIs, got ${show(v)}`);
  for (const name of Object.keys(v)) {
    const option = `events.${name}`;
    const m = v[name];
    if (typeof m === 'string') {
      map.set(name, { schema: igluUri(m, option), entitiesJson: '' });
    } else if (isPlainObject(m)) {
      for (const key of Object.keys(m)) {
        if (key !== 'schema' && key !== 'entities') fail(option, `has unknown key "${key}" (known: schema, entities)`);
      }
      map.set(name, {
        schema: m.schema === undefined ? null : igluUri(m.schema, `${option}.schema`),
        entitiesJson: entitiesJson(m.entities, `${option}.entities`),
      });
    } else {
      fail(option, `must be an Iglu schema URI or { schema?, entities? }, got ${show(m)}`);
    }
  }
  return map;
}

function deliveryOptions(v: unknown): SnowplowDeliveryOptions {
  if (v === undefined) return {};
  if (!isPlainObject(v)) fail('delivery', `must be an object, got ${show(v)}`);
  for (const key of Object.keys(v)) {
    const value = v[key];
    const min = Object.prototype.hasOwnProperty.call(DELIVERY_NUMBERS, key) ? DELIVERY_NUMBERS[key] : undefined;
    if (min !== undefined) {
      // Infinity is allowed (e.g. maxAttempts: no limit); NaN is not.
      if (value !== undefined && !(typeof value === 'number' && value >= min)) fail(`delivery.${key}`, `must be a number ≥ ${min}, got ${show(value)}`);
    } else if ((DELIVERY_FUNCTIONS as readonly string[]).includes(key)) {
      if (value !== undefined && typeof value !== 'function') fail(`delivery.${key}`, `must be a function, got ${show(value)}`);
    } else if (key === 'timers') {
      const t = value as { setTimeout?: unknown; clearTimeout?: unknown } | undefined;
      if (t !== undefined && !(isPlainObject(t) && typeof t.setTimeout === 'function' && typeof t.clearTimeout === 'function')) {
        fail('delivery.timers', 'must have setTimeout and clearTimeout');
      }
    } else {
      fail(`delivery.${key}`, `is not a delivery option (known: ${[...Object.keys(DELIVERY_NUMBERS), ...DELIVERY_FUNCTIONS, 'timers'].join(', ')})`);
    }
  }
  return { ...(v as SnowplowDeliveryOptions) };
}

/** Checks every option and applies the defaults; throws {@link SnowplowKitConfigError} on a mistake. */
export function resolveSnowplowOptions(options: SnowplowKitOptions): ResolvedSnowplowOptions {
  if (!isPlainObject(options)) {
    throw new SnowplowKitConfigError('options', `snowplowKit(options) takes an object with at least collectorUrl and appId, got ${show(options)}`);
  }
  const o = options as unknown as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KNOWN.has(key)) fail(key, `is unknown (known: ${[...KNOWN].join(', ')})`);
  }
  const url = o.collectorUrl;
  if (typeof url !== 'string' || !HTTP_URL.test(url.trim())) {
    fail('collectorUrl', `must be the collector's http(s) URL without query, like "https://collector.example.com", got ${show(url)}`);
  }
  const base = url.trim().replace(/\/+$/, '');
  const name = text(o, 'name', 'snowplow');
  if (!/^[\w.-]{1,64}$/.test(name)) fail('name', `must be 1–64 letters, digits, "_", "." or "-", got ${show(name)}`);
  if (o.entitiesFor !== undefined && typeof o.entitiesFor !== 'function') fail('entitiesFor', `must be a function, got ${show(o.entitiesFor)}`);
  const sessionEvents = o.sessionEvents;
  if (sessionEvents !== undefined && !isPlainObject(sessionEvents)) {
    fail('sessionEvents', `must be { start?: IgluUri, end?: IgluUri }, got ${show(sessionEvents)}`);
  }
  for (const key of Object.keys(sessionEvents ?? {})) {
    if (key !== 'start' && key !== 'end') fail(`sessionEvents.${key}`, 'is unknown (known: start, end)');
  }
  const startSchema = sessionEvents?.start;
  const endSchema = sessionEvents?.end;
  return {
    name,
    endpoint: base.endsWith(TP2_PATH) ? base : base + TP2_PATH,
    appId: text(o, 'appId', undefined),
    namespace: text(o, 'namespace', 'sessionhub'),
    platform: oneOf(o, 'platform', SNOWPLOW_PLATFORMS, 'mob'),
    encodeBase64: flag(o, 'encodeBase64', true),
    storageMechanism: oneOf(o, 'storageMechanism', STORAGE_MECHANISMS, 'LOCAL_STORAGE'),
    events: eventMappings(o.events),
    catchAllSchema: o.catchAllSchema === undefined ? null : igluUri(o.catchAllSchema, 'catchAllSchema'),
    structuredEventCategory: text(o, 'structuredEventCategory', 'sessionhub'),
    globalEntitiesJson: entitiesJson(o.globalEntities, 'globalEntities'),
    entitiesFor: (o.entitiesFor as SnowplowEntitiesFor | undefined) ?? null,
    lifecycleEvents: flag(o, 'lifecycleEvents', true),
    sessionStartSchema: startSchema === undefined ? null : igluUri(startSchema, 'sessionEvents.start'),
    sessionEndSchema: endSchema === undefined ? null : igluUri(endSchema, 'sessionEvents.end'),
    delivery: deliveryOptions(o.delivery),
  };
}
