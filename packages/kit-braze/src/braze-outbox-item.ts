import type { BrazeSdkEvent, BrazeUserAttributes } from './braze-wire';

/**
 * What the kit queues in its outbox. Events and user attributes share one queue so they leave in the
 * order they happened (a `changeUser` between a session's `se` and the next `ss` stays between them
 * across batches). Braze's event objects carry no id, so neither do the items: a resent item is the
 * same JSON again.
 */
export type BrazeOutboxItem = BrazeEventItem | BrazeAttributesItem;

/** An event for `events[]`. */
export interface BrazeEventItem {
  readonly event: BrazeSdkEvent;
}

/** A user attributes object for `attributes[]`. */
export interface BrazeAttributesItem {
  readonly attributes: BrazeUserAttributes;
}
