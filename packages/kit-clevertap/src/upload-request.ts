/**
 * The `/a1` upload request, as CleverTap's Android SDK sends it (`network/api/CtApi.kt`,
 * `network/QueueHeaderBuilder.kt`): `POST {endpoint}/a1?os=…&t=…&z=…&ts=…`, a JSON array whose first
 * element is the `meta` header, then the queued items.
 */
import type { HttpRequest } from '@sessionhub/delivery';
import type { CleverTapPropertyValue } from './event-properties';
import type { CleverTapKitOptions } from './options';
import type { CleverTapUploadItem } from './upload-items';
import { KIT_VERSION } from './version';

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
 * The constant parts (URL prefix, headers, meta header) are made once. `endpoint` is the base URL
 * without a trailing slash; `guid` the CleverTap device id (`g`, see `cleverTapGuid`).
 */
export function uploadRequestBuilder(
  endpoint: string,
  { accountId, token, os = 'Web', appFields }: CleverTapKitOptions,
  guid: string,
): (items: readonly CleverTapUploadItem[], sentAt: number) => HttpRequest {
  // The account id is letters, digits and dashes (checked): nothing to encode.
  const url = `${endpoint}/a1?os=${encodeURIComponent(os)}&t=${KIT_VERSION}&z=${accountId}&ts=`;
  const headers = {
    'Content-Type': 'application/json; charset=utf-8',
    'X-CleverTap-Account-ID': accountId,
    'X-CleverTap-Token': token,
  };
  const meta: CleverTapMetaHeader = { type: 'meta', g: guid, af: { OS: os, lib: 'sessionhub-kit-clevertap/' + KIT_VERSION, ...appFields }, id: accountId, tk: token };
  return (items, sentAt) => ({ url: url + Math.floor(sentAt / 1000), method: 'POST', headers, body: JSON.stringify([meta, ...items]) });
}
