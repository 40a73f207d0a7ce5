/**
 * The `/a1` upload request, as CleverTap's Android SDK sends it (`network/api/CtApi.kt`,
 * `network/QueueHeaderBuilder.kt`): `POST {endpoint}/a1?os=…&t=…&z=…&ts=…`, a JSON array whose first
 * element is the `meta` header, then the queued items.
 */
import type { HttpRequest } from '@sessionhub/delivery';
import type { CleverTapPropertyValue } from './event-properties';
import type { CleverTapUploadItem } from './upload-items';
import { KIT_VERSION } from './version';

/** Everything a request needs besides its items. */
export interface UploadTarget {
  /** Base URL without a trailing slash. */
  readonly endpoint: string;
  readonly accountId: string;
  readonly token: string;
  readonly os: string;
  /** CleverTap device id (`g`), see `cleverTapGuid`. */
  readonly guid: string;
  /** Extra `af` fields. */
  readonly appFields: Readonly<Record<string, CleverTapPropertyValue>>;
}

/** Element 0 of the upload array. */
export interface CleverTapMetaHeader {
  readonly type: 'meta';
  /** The device id. */
  readonly g: string;
  /** App fields ("App Launched" fields of the header); `lib` says which SDK sent the data (CleverTap uses it for wrapper SDKs). */
  readonly af: Readonly<Record<string, CleverTapPropertyValue>>;
  /** Account id and token (QueueHeaderBuilder `addConfigFields`). */
  readonly id: string;
  readonly tk: string;
}

/** CleverTap's Android SDK sends at most 50 queued items per request (`NetworkManager.flushDBQueue`). */
export const MAX_ITEMS_PER_REQUEST = 50;

/**
 * A `buildRequest` for the outbox: called at send time (and per retry), so `ts` is the send time.
 * The constant parts (URL prefix, headers, header JSON) are computed once.
 */
export function uploadRequestBuilder(target: UploadTarget): (items: readonly CleverTapUploadItem[], sentAt: number) => HttpRequest {
  const { accountId, token, os } = target;
  const url = `${target.endpoint}/a1?os=${encodeURIComponent(os)}&t=${KIT_VERSION}&z=${encodeURIComponent(accountId)}&ts=`;
  const headers = {
    'Content-Type': 'application/json; charset=utf-8',
    'X-CleverTap-Account-ID': accountId,
    'X-CleverTap-Token': token,
  };
  const meta: CleverTapMetaHeader = {
    type: 'meta',
    g: target.guid,
    af: { OS: os, lib: 'sessionhub-kit-clevertap/' + KIT_VERSION, ...target.appFields },
    id: accountId,
    tk: token,
  };
  const header = JSON.stringify(meta);
  return (items, sentAt) => {
    let body = '[' + header;
    for (const item of items) body += ',' + JSON.stringify(item);
    return { url: url + Math.floor(sentAt / 1000), method: 'POST', headers, body: body + ']' };
  };
}
