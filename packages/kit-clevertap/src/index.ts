/**
 * @sessionhub/kit-clevertap — the canonical session, sent to CleverTap with CleverTap's session
 * analytics semantics: session ids (`s`) per canonical session, `Session Concluded` at its end,
 * CleverTap's session-neutral events declared to the hub.
 * @packageDocumentation
 */
export { clevertapKit, CLEVERTAP_NATIVE_SESSION_TIMEOUT_SECONDS } from './clevertap-kit';
export type { CleverTapKit } from './clevertap-kit';
export { CleverTapKitConfigError, DEFAULT_ATTRIBUTE_PREFIX, DEFAULT_OS, DEFAULT_REGION, resolveCleverTapOptions } from './options';
export type { CleverTapDeliveryOptions, CleverTapKitOptions, ResolvedCleverTapOptions } from './options';
export { CLEVERTAP_SESSION_NEUTRAL_EVENTS } from './session-neutral-events';
export { cleverTapGuid } from './device-guid';
export { KIT_VERSION } from './version';

// The pure mapping, for replays, servers and tests.
export {
  epochSeconds,
  eventItem,
  profileItem,
  sessionConcludedItem,
  SESSION_CONCLUDED,
  SESSION_ID_KEY,
  SESSION_LENGTH_KEY,
} from './upload-items';
export type {
  CleverTapEventItem,
  CleverTapProfileItem,
  CleverTapSessionFields,
  CleverTapUploadItem,
  SessionPosition,
} from './upload-items';
export { cleanKey, cleanName, eventProperties, MAX_KEY_LENGTH, MAX_VALUE_LENGTH, propertyValue } from './event-properties';
export type { CleverTapProperties, CleverTapPropertyValue, DroppedPropertyReason, OnDroppedProperty } from './event-properties';
export { metaHeader, MAX_ITEMS_PER_REQUEST, uploadRequestBuilder } from './upload-request';
export type { CleverTapMetaHeader, UploadTarget } from './upload-request';
export { concludeSession, decodeLedger, EMPTY_LEDGER, encodeLedger, nextSessionId, openSession, wholeSeconds } from './session-ledger';
export type { LedgerEntry, SessionLedger } from './session-ledger';
