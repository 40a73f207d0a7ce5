import type { HttpRequest, SendInfo } from '@sessionhub/delivery';
import { brazeQueued, type BrazeOutboxItem, type BrazeQueuedItem } from './braze-outbox-item';
import { message } from './braze-messages';
import type { BrazeDevice, BrazeRequestBody } from './braze-wire';

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
 * One `POST {baseUrl}/data/` request for a batch, built at send time as the Web SDK 6.13.0 builds it
 * (network-manager.js `Z()`, `ka()`, `tt()`):
 * - body `{ respond_with, device?, api_key, time, sdk_metadata?, sdk_version, sdk_flavor?, app_version?, device_id, events }`:
 *   `respond_with` names the user of the batch's last event and `configTime`; `device` is the batch's
 *   device item (queued at the first run and after each user change); `time` is whole seconds at
 *   `sentAt`; `sdk_metadata: ["npm"]` when the batch starts a session;
 * - headers `Content-Type`, `X-Requested-With`, `X-Braze-Api-Key`, `X-Braze-Last-Req-Ms-Ago` (7 200 000
 *   before any request and on the first request after a user change, as the Web SDK resets it) and
 *   `X-Braze-Req-Attempt`.
 * Items that are neither an event nor a device (a damaged stored entry) are left out.
 */
export function buildBrazeRequest(
  items: readonly BrazeOutboxItem[],
  sentAt: number,
  info: SendInfo,
  deviceId: string,
  settings: BrazeRequestSettings,
  configTime = 0,
): HttpRequest {
  return brazeRequest(items.map((item) => brazeQueued(item)), sentAt, info, deviceId, settings, configTime);
}

/** {@link buildBrazeRequest} for items as the kit's outbox holds them: their events' JSON is spliced in, never serialized again. */
export function brazeRequest(
  items: readonly BrazeQueuedItem[],
  sentAt: number,
  info: SendInfo,
  deviceId: string,
  settings: BrazeRequestSettings,
  configTime = 0,
): HttpRequest {
  const events: string[] = [];
  let device: BrazeDevice | undefined;
  let starts = false;
  let user: string | undefined;
  for (const item of items) {
    if (item.event !== undefined) {
      events.push(item.json.slice(9, 9 + item.event));
      starts ||= !!item.ss;
      user = item.user;
    } else if (item.device) device = item.device;
  }
  const { apiKey } = settings;
  const previous = info.previousSentAt;
  const body: Omit<BrazeRequestBody, 'events'> = {
    respond_with: { user_id: user, config: { config_time: configTime } },
    device,
    api_key: apiKey,
    time: Math.floor(sentAt / 1000),
    sdk_metadata: starts ? ['npm'] : undefined,
    sdk_version: settings.sdkVersion,
    sdk_flavor: settings.sdkFlavor,
    app_version: settings.appVersion,
    device_id: deviceId,
  };
  return {
    url: settings.url,
    method: 'POST',
    // The Web SDK's data request headers (util/net.js, network-manager.js tt()).
    headers: {
      'Content-Type': 'application/json',
      'X-Requested-With': 'XMLHttpRequest',
      'X-Braze-Api-Key': apiKey,
      // The Web SDK's value before any request, and again after a user change: 2 h.
      'X-Braze-Last-Req-Ms-Ago': previous === null || device ? '7200000' : '' + Math.max(0, sentAt - previous),
      'X-Braze-Req-Attempt': '' + info.attempt,
    },
    // Fields left undefined are not written; `events` (last) gets the events' JSON as it was queued.
    body: JSON.stringify(body).slice(0, -1) + ',"events":[' + events.join() + ']}',
  };
}

/**
 * Why Braze refused a 2xx answer (`{"error": …}` or `{"auth_error": …}`, which the Web SDK logs and
 * does not resend), or null. Anything else (an empty or non-JSON body included) is taken as accepted.
 */
export function brazeRefusal(answer: { error?: unknown; auth_error?: unknown } | null, apiKey: string, url: string): string | null {
  const error = answer?.error;
  if (answer?.auth_error) return message(313);
  if (!error) return null;
  const text = String(error).slice(0, 100);
  return error == 'invalid_api_key' ? message(314, text, apiKey, url.slice(0, -6)) : message(315, text);
}
