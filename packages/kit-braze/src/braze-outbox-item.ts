import type { BrazeSdkEvent, BrazeUserAttributes } from './braze-wire';

/**
 * What the kit queues in its outbox. Events and user attributes share one queue so they leave in the
 * order they happened (a `changeUser` between a session's `se` and the next `ss` stays between them
 * across batches); `id` is the item's idempotency key (the hub's event id for a `ce`).
 */
export type BrazeOutboxItem = BrazeEventItem | BrazeAttributesItem;

/** An event for `events[]`. */
export interface BrazeEventItem {
  readonly id: string;
  readonly event: BrazeSdkEvent;
}

/** A user attributes object for `attributes[]`. */
export interface BrazeAttributesItem {
  readonly id: string;
  readonly attributes: BrazeUserAttributes;
}

/** True for an {@link BrazeEventItem}. */
export const isEventItem = (item: BrazeOutboxItem): item is BrazeEventItem => 'event' in item;
