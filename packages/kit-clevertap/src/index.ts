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

// The pure mapping, for replays, servers and tests.
export { eventItem, profileItem, sessionConcludedItem } from './upload-items';
export type { CleverTapEventItem, CleverTapProfileItem, CleverTapSessionFields, CleverTapUploadItem, SessionPosition } from './upload-items';
export { eventProperties, propertyValue } from './event-properties';
export type { CleverTapProperties, CleverTapPropertyValue, DroppedPropertyReason, OnDroppedProperty } from './event-properties';
export { uploadRequestBuilder } from './upload-request';
export type { CleverTapMetaHeader, UploadTarget } from './upload-request';
export { concludeSession, decodeLedger, encodeLedger, openSession } from './session-ledger';
export type { LedgerEntry, SessionLedger } from './session-ledger';
