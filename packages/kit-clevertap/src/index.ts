/**
 * @sessionhub/kit-clevertap — the canonical session, sent to CleverTap with CleverTap's session
 * analytics semantics: session ids (`s`) per canonical session, `Session Concluded` at its end,
 * CleverTap's session-neutral events declared to the hub.
 * @packageDocumentation
 */
export { clevertapKit } from './clevertap-kit';
export type { CleverTapKit } from './clevertap-kit';
export { CleverTapKitConfigError } from './options';
export type { CleverTapDeliveryOptions, CleverTapKitOptions } from './options';
export { CLEVERTAP_SESSION_NEUTRAL_EVENTS } from './session-neutral-events';
export { cleverTapGuid } from './device-guid';

// The wire format, as types.
export type { CleverTapEventItem, CleverTapProfileItem, CleverTapSessionFields, CleverTapUploadItem } from './upload-items';
export type { CleverTapProperties, CleverTapPropertyValue } from './event-properties';
export type { CleverTapMetaHeader } from './upload-request';
