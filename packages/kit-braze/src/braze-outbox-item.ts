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
  /** `{"event":…}` or `{"device":…}`: the {@link BrazeOutboxItem} as stored. */
  readonly json: string;
  /** The event's JSON text (part of `json`), for `events[]`; undefined for a device item. */
  readonly event?: string | undefined;
  /** A session start (`ss`): the request gets `sdk_metadata`. */
  readonly ss?: boolean;
  /** The event's `user_id`. */
  readonly user?: string | undefined;
  readonly device?: BrazeDevice | undefined;
}

/** An item (queued now, or read back from storage) as the outbox holds it. Throws for what is not an object. */
export function brazeQueued(item: BrazeOutboxItem): BrazeQueuedItem {
  const { event, device } = item as { event?: BrazeSdkEvent; device?: BrazeDevice };
  if (!event) return { json: JSON.stringify(item), device };
  const json = JSON.stringify(event);
  return { json: '{"event":' + json + '}', event: json, ss: event.name == 'ss', user: event.user_id };
}
