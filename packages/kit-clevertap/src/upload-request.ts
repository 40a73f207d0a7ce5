/**
 * The `/a1` upload request, as CleverTap's Android SDK sends it (`network/api/CtApi.kt`,
 * `network/QueueHeaderBuilder.kt`): `POST {endpoint}/a1?os=…&t=…&z=…&ts=…`, a JSON array whose first
 * element is the `meta` header, then the queued items.
 */
import { flatString, type HttpRequest, type SendInfo } from '@sessionhub/delivery';
import type { CleverTapPropertyValue } from './event-properties';
import type { CleverTapUploadItem } from './upload-items';
import { KIT_VERSION_CODE } from './version';

/** Element 0 of the upload array. */
export interface CleverTapMetaHeader {
  readonly type: 'meta';
  /** The device id the items are sent under. */
  readonly g: string;
  /** App fields (the `App Launched` fields); `lib` says which SDK sent the data (CleverTap uses it for wrapper SDKs). */
  readonly af: Readonly<Record<string, CleverTapPropertyValue>>;
  /** Account id and token, the last and the first request's time, epoch s (`addConfigFields`). */
  readonly id: string;
  readonly tk: string;
  readonly l_ts: number;
  readonly f_ts: number;
  /** True when the request carries a session's first item (`addFirstRequestInSession`). */
  readonly frs: boolean;
}

/**
 * An item as the outbox keeps it: the device id it goes under (requests never mix two), the item's
 * JSON text (serialized once, when it is queued, and spliced into every request that carries it),
 * and 1 when it is its session's first item at CleverTap.
 */
export type QueuedItem = readonly [g: string, json: string, first?: 1];

/** A queued item as stored: `[g, item, first?]` in JSON, the item's text spliced in. */
export const encodeQueued = ([g, json, first]: QueuedItem): string => '[' + JSON.stringify(g) + ',' + json + (first ? ',1]' : ']');

/** A stored item back (see {@link encodeQueued}); throws for what is not an array. */
export const decodeQueued = ([g, item, first]: QueuedItem | [string, unknown, 1?]): QueuedItem => [g, flatString(JSON.stringify(item) ?? 'null'), first];

/** CleverTap's Android SDK sends at most 50 queued items per request (`NetworkManager.flushDBQueue`). */
export const MAX_ITEMS_PER_REQUEST = 50;

/** The request's constant parts. */
export interface UploadSetup {
  /** Base URL without a trailing slash. */
  readonly endpoint: string;
  readonly accountId: string;
  readonly token: string;
  readonly os: string;
  /** The header's `af`. */
  readonly af: Readonly<Record<string, CleverTapPropertyValue>>;
  /** The device's first request (epoch s), stamped by the kit on its first call. */
  readonly firstRequest: (sentAt: number) => number;
}

/**
 * A `buildRequest` for the outbox: called at send time (and per retry), so `ts` and `l_ts` are
 * stamped then. The constant parts (URL prefix, headers) are made once.
 */
export function uploadRequestBuilder({ endpoint, accountId, token, os, af, firstRequest }: UploadSetup): (items: readonly QueuedItem[], sentAt: number, info: SendInfo) => HttpRequest {
  // The account id is letters, digits and dashes (checked): nothing to encode.
  const url = `${endpoint}/a1?os=${encodeURIComponent(os)}&t=${KIT_VERSION_CODE}&z=${accountId}&ts=`;
  const headers = {
    'Content-Type': 'application/json; charset=utf-8',
    'X-CleverTap-Account-ID': accountId,
    'X-CleverTap-Token': token,
  };
  return (items, sentAt, { previousSentAt }) => {
    const meta: CleverTapMetaHeader = {
      type: 'meta',
      g: items[0]![0],
      af,
      id: accountId,
      tk: token,
      l_ts: Math.floor((previousSentAt ?? 0) / 1000),
      f_ts: firstRequest(sentAt),
      frs: items.some((q) => q[2]),
    };
    // The items' JSON as it was queued, never serialized again.
    return { url: url + Math.floor(sentAt / 1000), method: 'POST', headers, body: '[' + JSON.stringify(meta) + ',' + items.map((q) => q[1]).join() + ']' };
  };
}
