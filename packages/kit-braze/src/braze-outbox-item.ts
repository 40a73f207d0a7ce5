import { flatString } from '@sessionhub/delivery';
import type { BrazeDevice, BrazeSdkEvent } from './braze-wire';

/**
 * What the kit queues in its outbox. Events and the device share one queue so they leave in the
 * order they happened (the device after a user change goes with that user's first request). Braze's
 * event objects carry no id, so neither do the items: a resent item is the same JSON again.
 */
export type BrazeOutboxItem = BrazeEventItem | BrazeDeviceItem;

/** An event for `events[]`. */
export interface BrazeEventItem {
  readonly event: BrazeSdkEvent;
}

/** The device for the request's `device` field (the first request, and the first after a user change). */
export interface BrazeDeviceItem {
  readonly device: BrazeDevice;
}

/**
 * An item as the kit's outbox holds it: its JSON text, made once when it is queued (stored as is and
 * spliced into every request that carries it), and what a request needs to know of it.
 */
export interface BrazeQueuedItem {
  /** `{"event":…}` or `{"device":…}`, with `"d"` when its device is not the kit's base device: the {@link BrazeOutboxItem} as stored. */
  readonly json: string;
  /**
   * The length of the event's JSON text, which is part of `json` from character 9 on (after
   * `{"event":`), for `events[]`: a number kept per queued item rather than a string. Undefined for a
   * device item.
   */
  readonly event?: number | undefined;
  /** A session start (`ss`): the request gets `sdk_metadata`. */
  readonly ss?: boolean;
  /** The event's `user_id`. */
  readonly user?: string | undefined;
  readonly device?: BrazeDevice | undefined;
  /** The `device_id` the item was queued under, fixed then: a `hub.reset()` never moves it to the new device. */
  readonly d: string;
}

/**
 * An item (queued now, or read back from storage) as the outbox holds it, queued under `deviceId`
 * unless it was stored with its own `d`. Stored items name their device only when it is not `base`
 * (the device of items stored without one, as every item was before the first reset), so a device
 * that never resets stores nothing more. Throws for what is not an object.
 */
export function brazeQueued(item: BrazeOutboxItem, deviceId?: string, base?: string): BrazeQueuedItem {
  const { event, device, d = deviceId! } = item as { event?: BrazeSdkEvent; device?: BrazeDevice; d?: string };
  const own = d === base ? undefined : d;
  if (!event) return { json: JSON.stringify({ device, d: own }), device, d };
  const text = JSON.stringify(event);
  // One string kept per item, flat: the event's text is cut from it when a request is made.
  const json = flatString('{"event":' + text + (own ? ',"d":' + JSON.stringify(own) : '') + '}');
  return { json, event: text.length, ss: event.name == 'ss', user: event.user_id, d };
}
