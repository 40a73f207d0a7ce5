/**
 * @sessionhub/kit-braze — the canonical session as Braze `ss` / `ce` / `se` on Braze's SDK data API,
 * so Braze counts exactly SessionHub's sessions, with the same lengths.
 * @packageDocumentation
 */
export { brazeKit } from './braze-kit';
export { BRAZE_WIRE_SDK_VERSION, BrazeKitConfigError } from './braze-kit-options';
export type { BrazeKitOptions } from './braze-kit-options';

// The pure mapping and request building, for replays, servers and tests.
export { customEvent, sessionAttributesEvent, sessionEndEvent, sessionStartEvent } from './braze-mapping';
export { brazeDevice } from './braze-device';
export { brazeWebSdkSessionEnd, readBrazeWebSdk } from './braze-web-sdk-state';
export type { BrazeWebSdkState } from './braze-web-sdk-state';
export type { DeviceNavigator } from './braze-device';
export { brazeProperties } from './braze-properties';
export { brazeDataUrl, brazeRefusal, buildBrazeRequest } from './braze-request';
export type { BrazeRequestSettings } from './braze-request';
export type { BrazePlatform } from './braze-timeouts';
export type { BrazeDeviceItem, BrazeEventItem, BrazeOutboxItem } from './braze-outbox-item';
export type {
  BrazeCustomEvent,
  BrazeDevice,
  BrazeEvent,
  BrazeProperties,
  BrazePropertyValue,
  BrazeRequestBody,
  BrazeSdkEvent,
  BrazeSessionEndEvent,
  BrazeSessionStartEvent,
} from './braze-wire';
