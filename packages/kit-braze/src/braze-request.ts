import type { HttpRequest, SendInfo } from '@sessionhub/delivery';
import type { BrazeOutboxItem } from './braze-outbox-item';
import type { BrazeSdkEvent, BrazeUserAttributes } from './braze-wire';

/**
 * Batch limits of the kit's requests. 75 items is the per-request cap Braze documents for its
 * `/users/track` API (the closest published Braze limit); 60 000 bytes keeps a batch, with its
 * envelope, inside the browser's 64 KiB keepalive budget so a page-hide flush can carry it.
 */
export const BRAZE_BATCH_LIMITS = Object.freeze({ maxItems: 75, maxBytes: 60_000 });

/** `X-Braze-Last-Req-Ms-Ago` before any request: the Web SDK's `LAST_REQUEST_TO_ENDPOINT_MS_AGO_DEFAULT` (2 h). */
const NO_PREVIOUS_REQUEST_MS = 7_200_000;

/** What every request of one kit shares. */
export interface BrazeRequestSettings {
  /** `POST` target, from {@link brazeDataUrl}. */
  readonly url: string;
  readonly apiKey: string;
  readonly sdkVersion: string;
  readonly sdkFlavor?: string;
  readonly appVersion?: string;
}

/**
 * The SDK data endpoint for a Braze `baseUrl`, normalized as the Braze Web SDK does it: `https://` is
 * assumed when no scheme is given, `/api/v3` is appended when the URL has no path, and requests go to
 * `{that}/data/`. Returns null for something that is not an http(s) URL without query or fragment.
 *
 * @example brazeDataUrl('sdk.iad-01.braze.com') // 'https://sdk.iad-01.braze.com/api/v3/data/'
 */
export function brazeDataUrl(baseUrl: string): string | null {
  const text = baseUrl.trim();
  if (text.length === 0) return null;
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z\d+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    return null;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search !== '' || url.hash !== '' || url.username !== '') return null;
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.origin}${path === '' ? '/api/v3' : path}/data/`;
}

/**
 * One `POST {baseUrl}/data/` request for a batch, built at send time: body
 * `{ api_key, time, sdk_version, sdk_flavor?, app_version?, device_id, events, attributes? }` with
 * `time` = whole seconds at `sentAt` (floored), and the Web SDK's headers (`Content-Type`,
 * `X-Requested-With`, `X-Braze-Api-Key`, `X-Braze-Last-Req-Ms-Ago`, `X-Braze-Req-Attempt`).
 * Items that are neither an event nor attributes (a damaged stored entry) are left out.
 */
export function buildBrazeRequest(
  items: readonly BrazeOutboxItem[],
  sentAt: number,
  info: SendInfo,
  deviceId: string,
  settings: BrazeRequestSettings,
): HttpRequest {
  const events: BrazeSdkEvent[] = [];
  let attributes: BrazeUserAttributes[] | null = null;
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as Partial<Record<'event' | 'attributes', unknown>>;
    if (typeof item.event === 'object' && item.event !== null) events.push(item.event as BrazeSdkEvent);
    else if (typeof item.attributes === 'object' && item.attributes !== null) (attributes ??= []).push(item.attributes as BrazeUserAttributes);
  }
  const body: Record<string, unknown> = {
    api_key: settings.apiKey,
    time: Math.floor(sentAt / 1000),
    sdk_version: settings.sdkVersion,
  };
  if (settings.sdkFlavor !== undefined) body.sdk_flavor = settings.sdkFlavor;
  if (settings.appVersion !== undefined) body.app_version = settings.appVersion;
  body.device_id = deviceId;
  body.events = events;
  if (attributes !== null) body.attributes = attributes;

  // The Web SDK's data request headers (util/net.js, network-manager.js tt()). X-Braze-DataRequest is
  // left out: the Web SDK sets it only when a request also asks for triggers, cards or flags.
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'X-Requested-With': 'XMLHttpRequest',
    'X-Braze-Api-Key': settings.apiKey,
    'X-Braze-Last-Req-Ms-Ago': String(info.previousSentAt === null ? NO_PREVIOUS_REQUEST_MS : Math.max(0, sentAt - info.previousSentAt)),
    'X-Braze-Req-Attempt': String(info.attempt),
  };
  return { url: settings.url, method: 'POST', headers, body: JSON.stringify(body) };
}
