/**
 * @sessionhub/kit-braze — the canonical session as Braze `ss` / `ce` / `se` on Braze's SDK data API,
 * so Braze counts exactly SessionHub's sessions, with the same lengths.
 * @packageDocumentation
 */
export { brazeKit } from './braze-kit';
export { BRAZE_WIRE_SDK_VERSION, BrazeKitConfigError } from './braze-kit-options';
export type { BrazeKitOptions } from './braze-kit-options';

// The pure mapping and request building, for replays, servers and tests.
export { customEvent, sessionAttributesEvent, sessionEndEvent, sessionStartEvent, userAttributes } from './braze-mapping';
export { brazeProperties } from './braze-properties';
export { brazeDataUrl, buildBrazeRequest } from './braze-request';
export type { BrazeRequestSettings } from './braze-request';
export type { BrazePlatform } from './braze-timeouts';
export type { BrazeAttributesItem, BrazeEventItem, BrazeOutboxItem } from './braze-outbox-item';
export type {
  BrazeCustomEvent,
  BrazeEvent,
  BrazeProperties,
  BrazePropertyValue,
  BrazeRequestBody,
  BrazeSdkEvent,
  BrazeSessionEndEvent,
  BrazeSessionStartEvent,
  BrazeUserAttributes,
} from './braze-wire';
