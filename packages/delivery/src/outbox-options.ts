import type { DeliveryHealth, Logger, SafeStorage } from '@sessionhub/core';
import type { HttpRequest, Transport } from './http';
import type { Timers } from './timers';

/** What `buildRequest` learns about the attempt it builds a request for. */
export interface SendInfo {
  /** 1 for the first attempt of this batch's oldest item, +1 for each retry (Braze `X-Braze-Req-Attempt`). */
  readonly attempt: number;
  /** When this outbox last sent a request (epoch ms), or null (Braze `X-Braze-Last-Req-Ms-Ago`). */
  readonly previousSentAt: number | null;
  /** True for a page-hide flush (fetch `keepalive` / `sendBeacon`). */
  readonly keepalive: boolean;
}

/** Options of {@link createOutbox}. Sizes are UTF-8 bytes, durations milliseconds. */
export interface OutboxOptions<T> {
  /** The kit's name, for logs and health. */
  readonly name: string;
  /** The kit's storage; every item is written here before any network attempt. */
  readonly storage: SafeStorage;
  /** Default: silent. */
  readonly logger?: Logger;
  /** Epoch ms. Default: `Date.now`. */
  readonly clock?: () => number;
  /** Default: {@link fetchTransport}. */
  readonly transport?: Transport;
  /**
   * Builds one request from a batch, called at send time and again for every retry, so send-time
   * fields (Snowplow `stm`, Braze `time`) are stamped then. Must not throw; if it does, the batch
   * is dropped with a warning (reason `build-failed`).
   */
  readonly buildRequest: (items: readonly T[], sentAt: number, info: SendInfo) => HttpRequest;
  /**
   * For a vendor that answers a refusal with a 2xx (Braze: `200 {"error":"invalid_api_key"}`): reads
   * a 2xx answer's body and says why the vendor refused the batch, or null when it took it. A refused
   * batch is dropped as `rejected` (resending it cannot help) and `lastError` says why. Setting it
   * makes the transport read the body (`TransportOptions.readBody`). Default: a 2xx is a delivery.
   */
  readonly refusal?: (body: string) => string | null;
  /**
   * The item's JSON text, as stored (and, for a kit that splices it into its requests, as sent):
   * called once per item, at enqueue. A kit whose items are their wire text already (a string of
   * JSON) returns it as is, so nothing is serialized twice. Must return valid JSON, or undefined for
   * an item that cannot be stored (dropped as `invalid`). Default: `JSON.stringify`.
   */
  readonly encode?: (item: T) => string | undefined;
  /**
   * The item back from its stored JSON value (parsed), when a later run loads what an earlier one
   * left; a throw skips the item as unreadable. Default: the value itself.
   */
  readonly decode?: (value: unknown) => T;
  /**
   * Bytes an item adds to a request, asked only when a batch could pass `maxBatchBytes` (until then
   * 3 per UTF-16 unit of the item's JSON bound them, so it must not return more). Default: the UTF-8
   * length of its JSON.
   */
  readonly sizeOf?: (item: T) => number;
  /**
   * Items whose keys differ (`===`) never share a request: a request goes up to the first item with
   * another key (CleverTap: one device id per request). Default: every item has the same key.
   */
  readonly batchKey?: (item: T) => unknown;
  /** Items per request. Default 100. */
  readonly maxBatchItems?: number;
  /** Bytes of items per request (an item bigger than this goes alone). Default 40 000. */
  readonly maxBatchBytes?: number;
  /** How long an item may wait for company before it is sent. Default 10 000 (10 s). */
  readonly flushIntervalMs?: number;
  /** An item older than this is dropped (reason `expired`). Default 86 400 000 (24 h). */
  readonly maxAgeMs?: number;
  /** An item that failed this many attempts is dropped (reason `attempts`). Default: no limit. */
  readonly maxAttempts?: number;
  /** Items kept at most; the oldest is dropped first (reason `overflow`). Default 1000. */
  readonly maxQueueItems?: number;
  /** First retry delay bound (full jitter). Default 1000. */
  readonly retryBaseMs?: number;
  /** Largest retry delay bound. Default 300 000 (5 min). */
  readonly retryMaxMs?: number;
  /** A request without an answer after this long is aborted and retried. Default 30 000. */
  readonly requestTimeoutMs?: number;
  /** Bytes a page-hide flush may send in total (the browser's keepalive budget). Default 65 536. */
  readonly keepaliveMaxBytes?: number;
  /** Uniform random in [0, 1) for the backoff jitter. Default: `Math.random`. */
  readonly random?: () => number;
  /** Wake-ups. Default: the global `setTimeout`, unref'd in Node. */
  readonly timers?: Timers;
}

/** Why items were dropped; the keys of `health().dropped`. */
export type DropReason = 'expired' | 'attempts' | 'overflow' | 'rejected' | 'invalid' | 'too-large' | 'build-failed' | 'quota';

/** A per-kit durable outbox: persist, batch, send, retry, acknowledge. */
export interface Outbox<T> {
  /** Loads what earlier runs left unsent (tolerating corrupt entries) and starts sending it. Idempotent. */
  load(): Promise<void>;
  /**
   * Queues an item: synchronous, never throws. The item must be JSON-serializable and carry the
   * vendor's event id. Returns false (with a warning) when it cannot be serialized, or its JSON is
   * longer than 262,144 characters (reason `too-large`: a record holding it could pass the 2 MB
   * Android's AsyncStorage can read back, and every later launch fail to read the queue). `keep`: never
   * dropped to make room when storage is full (a session's start or end, a sign-in); the oldest
   * items without it go first (reason `quota`).
   */
  enqueue(item: T, keep?: boolean): boolean;
  /** Sends what is queued now (waiting out a `Retry-After`, not the backoff). Never rejects. */
  flush(): Promise<void>;
  /** Sends what fits in the keepalive budget with requests that outlive the page; the rest stays persisted. */
  flushOnPageHide(): void;
  /** Stops timers after a last flush; what is left stays persisted for the next run. Never rejects. */
  shutdown(): Promise<void>;
  /**
   * Forgets every queued item, in memory and in storage, sending nothing more (the user opted out or
   * asked for deletion). A request already under way cannot be recalled; its items are not retried.
   * Resolves once storage holds none of them. Never rejects.
   */
  clear(): Promise<void>;
  /** Delivery figures: items queued (in flight included), in flight, delivered, retried, dropped by reason. */
  health(): DeliveryHealth;
}
