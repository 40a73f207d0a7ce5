/**
 * @sessionhub/kit-clevertap — the canonical session, sent to CleverTap as its SDKs send sessions:
 * session ids (`s`) per canonical session, `App Launched` (mobile) or a page (web) when one starts, a
 * device id per signed-in person, CleverTap's session-neutral events declared to the hub.
 * @packageDocumentation
 */
export { clevertapKit } from './clevertap-kit';
export type { CleverTapKit } from './clevertap-kit';
export { CleverTapKitConfigError } from './options';
export type { CleverTapDeliveryOptions, CleverTapKitOptions } from './options';
export { CLEVERTAP_SESSION_NEUTRAL_EVENTS } from './session-neutral-events';
export { cleverTapGuid } from './device-guid';
export { CLEVERTAP_SYSTEM_EVENTS } from './system-events';

// The wire format, as types.
export type { CleverTapEventItem, CleverTapPageItem, CleverTapProfileItem, CleverTapSessionFields, CleverTapUploadItem } from './upload-items';
export type { CleverTapProperties, CleverTapPropertyValue } from './event-properties';
export type { CleverTapChargedData } from './charged';
export type { CleverTapMetaHeader } from './upload-request';
