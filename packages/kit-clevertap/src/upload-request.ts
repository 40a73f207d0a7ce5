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
  /** App fields ("App Launched" fields of the header). */
  readonly af: Readonly<Record<string, CleverTapPropertyValue>>;
  /** Account id and token (QueueHeaderBuilder `addConfigFields`). */
  readonly id: string;
  readonly tk: string;
}

/** CleverTap's Android SDK sends at most 50 queued items per request (`NetworkManager.flushDBQueue`). */
export const MAX_ITEMS_PER_REQUEST = 50;

/** `lib` in the header's `af`: which SDK sent the data (CleverTap uses it for wrapper SDKs). */
export const LIBRARY = `sessionhub-kit-clevertap/${KIT_VERSION}`;

/** The header for a target. */
export function metaHeader(target: UploadTarget): CleverTapMetaHeader {
  return {
    type: 'meta',
    g: target.guid,
    af: { OS: target.os, lib: LIBRARY, ...target.appFields },
    id: target.accountId,
    tk: target.token,
  };
}

/**
 * A `buildRequest` for the outbox: called at send time (and per retry), so `ts` is the send time.
 * The constant parts (URL prefix, headers, header JSON) are computed once.
 */
export function uploadRequestBuilder(target: UploadTarget): (items: readonly CleverTapUploadItem[], sentAt: number) => HttpRequest {
  const urlPrefix =
    `${target.endpoint}/a1?os=${encodeURIComponent(target.os)}` +
    `&t=${encodeURIComponent(KIT_VERSION)}&z=${encodeURIComponent(target.accountId)}&ts=`;
  const headers: Readonly<Record<string, string>> = Object.freeze({
    'Content-Type': 'application/json; charset=utf-8',
    'X-CleverTap-Account-ID': target.accountId,
    'X-CleverTap-Token': target.token,
  });
  const headerJson = JSON.stringify(metaHeader(target));
  return (items, sentAt) => {
    let body = `[${headerJson}`;
    for (const item of items) body += `,${JSON.stringify(item)}`;
    body += ']';
    return { url: urlPrefix + Math.floor(sentAt / 1000), method: 'POST', headers, body };
  };
}
