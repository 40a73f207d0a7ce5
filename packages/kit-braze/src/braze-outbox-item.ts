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
