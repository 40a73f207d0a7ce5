import type { HttpRequest, SendInfo } from '@sessionhub/delivery';
import type { BrazeOutboxItem } from './braze-outbox-item';
import type { BrazeSdkEvent, BrazeUserAttributes } from './braze-wire';

/** What every request of one kit shares. */
export interface BrazeRequestSettings {
  /** `POST` target, from {@link brazeDataUrl}. */
  readonly url: string;
  readonly apiKey: string;
  readonly sdkVersion: string;
  readonly sdkFlavor?: string | undefined;
  readonly appVersion?: string | undefined;
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
  // Parsed by hand: React Native's URL (before 0.80) throws "not implemented" from its getters.
  const m = /^(https?:\/\/[^\s/?#@]+)(\/[^\s?#]*)?$/i.exec(/^[a-z][a-z\d+.-]*:\/\//i.test(text) ? text : 'https://' + text);
  const path = m?.[2]?.replace(/\/+$/, '');
  return m ? `${m[1]!.toLowerCase()}${path || '/api/v3'}/data/` : null;
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
  let attributes: BrazeUserAttributes[] | undefined;
  for (const item of items as readonly { event?: BrazeSdkEvent; attributes?: BrazeUserAttributes }[]) {
    if (item.event) events.push(item.event);
    else if (item.attributes) (attributes ??= []).push(item.attributes);
  }
  const { apiKey } = settings;
  const previous = info.previousSentAt;
  return {
    url: settings.url,
    method: 'POST',
    // The Web SDK's data request headers (util/net.js, network-manager.js tt()). X-Braze-DataRequest is
    // left out: the Web SDK sets it only when a request also asks for triggers, cards or flags.
    headers: {
      'Content-Type': 'application/json',
      'X-Requested-With': 'XMLHttpRequest',
      'X-Braze-Api-Key': apiKey,
      // Before any request, the Web SDK's LAST_REQUEST_TO_ENDPOINT_MS_AGO_DEFAULT (2 h).
      'X-Braze-Last-Req-Ms-Ago': String(previous === null ? 7_200_000 : Math.max(0, sentAt - previous)),
      'X-Braze-Req-Attempt': String(info.attempt),
    },
    // Fields left undefined are not written: sdk_flavor, app_version and attributes only when set.
    body: JSON.stringify({
      api_key: apiKey,
      time: Math.floor(sentAt / 1000),
      sdk_version: settings.sdkVersion,
      sdk_flavor: settings.sdkFlavor,
      app_version: settings.appVersion,
      device_id: deviceId,
      events,
      attributes,
    }),
  };
}
