/**
 * @sessionhub/delivery — the durable per-kit outbox every kit hands its vendor payloads to:
 * persisted before any network attempt, batched, retried with backoff, removed only once acknowledged.
 * @packageDocumentation
 */
export { createOutbox } from './outbox';
export type { DropReason, Outbox, OutboxOptions, SendInfo } from './outbox-options';
export { deliveryOptionsProblem } from './delivery-options';
export type { DeliveryOptions } from './delivery-options';
export type { HttpRequest, HttpResponse, Transport, TransportOptions } from './http';
export { fetchTransport } from './fetch-transport';
export type { Timers } from './timers';
export { backoffDelay } from './backoff';
export { parseRetryAfter } from './retry-after';
export { utf8Length } from './utf8-length';
export { flatString } from './flat-string';
