/**
 * @sessionhub/core — one canonical session per device, forwarded to every kit.
 * @packageDocumentation
 */
export { createHub, SessionHub } from './hub';
export type { HubEvents, LogEventOptions, SessionSnapshot, StartOptions } from './hub';
export type { HubOptions } from './config';
export type { BeforeSend } from './before-send';
export { SessionHubConfigError } from './errors';
export type { Logger, LogLevel } from './logger';
export { logsDebug, prefixedLogger, silentLogger } from './logger';

export type { DeliveryHealth, Kit, KitCallback, KitContext, KitHealth } from './kit';
export { OUTPUT_CALLBACK } from './kit';
export { checkKitOptions } from './kit-options';
export { messageFormat, MESSAGES_DOC } from './message-format';
export type { MessageOf, MessageTexts } from './message-format';
export type {
  AttributeValue,
  EventRecord,
  LifecycleRecord,
  SessionAttributeChangeRecord,
  SessionAttributes,
  SessionEndReason,
  SessionEndRecord,
  SessionStartRecord,
  SessionStartTrigger,
  SessionTimeouts,
  UserChangeRecord,
} from './records';

export type { StorageAdapter, StorageWrite } from './storage/storage-adapter';
export { memoryStorage } from './storage/storage-adapter';
export type { SafeStorage, Spare } from './storage/resilient-storage';
export { namespacedStorage, resilientStorage } from './storage/resilient-storage';
export type { CoalescedWriter } from './storage/coalesced-writer';
export { coalescedWriter } from './storage/coalesced-writer';

export type { AppState, LifecycleAdapter, TransitionInfo } from './lifecycle/lifecycle-adapter';
export type { AppStateSubscription, ReactNativeAppState } from './lifecycle/react-native-lifecycle';
export { reactNativeLifecycle } from './lifecycle/react-native-lifecycle';

// The pure engine, for replays, servers and tests.
export { step, stepInPlace, sessionStartRecord } from './engine/engine';
export type { EngineEnv, StepResult } from './engine/engine';
export type { EngineInput, EngineInputType } from './engine/inputs';
export type { EngineOutput, Warning, WarningCode } from './engine/outputs';
export type { EngineConfig, EngineState, PreviousSession, SessionState } from './engine/state';
export { DEFAULT_ENGINE_CONFIG, initialState } from './engine/state';
export { expiryInstant, isExpired } from './engine/expiry';
export { decodeState, decodeStateValue, encodeState } from './engine/state-codec';
export { ATTRIBUTE_LIMITS } from './engine/attributes';
